import { formatDuration, formatUsd, truncate } from '../format.ts';
import type { CompareResults } from '../results.ts';
import { escapeHtml, escapeRelativeUrl } from './html.ts';

/**
 * A batch's every line, in manifest order: its model and prompt, status, latency and cost, and its
 * output files (linked: the cards above show the pictures) or its error.
 */
export function renderBatchLinesSection(options: { results: CompareResults }): string {
  const runs = [...options.results.runs].sort((left, right) => left.repeat - right.repeat);
  const rows = runs
    .map((run) => {
      const outcome =
        run.status === 'succeeded'
          ? run.images
              .map(
                (image) =>
                  `<a href="${escapeRelativeUrl(image.file)}">${escapeHtml(image.file.split('/').at(-1) ?? image.file)}</a>`,
              )
              .join(' ')
          : `<span class="error-line"><strong>${escapeHtml(run.error?.name ?? 'Error')}</strong> ${escapeHtml(run.error?.message ?? '')}</span>`;
      return `<tr>
  <td class="num">${run.repeat}</td>
  <td><strong>${escapeHtml(run.label)}</strong><small class="via">${escapeHtml(truncate({ text: run.prompt ?? '', length: 80 }))}</small></td>
  <td><span class="pill ${run.status}">${run.status === 'succeeded' ? 'ok' : 'failed'}</span></td>
  <td class="num">${escapeHtml(run.latencyMs === undefined ? '–' : formatDuration(run.latencyMs))}</td>
  <td class="num">${escapeHtml(run.costUsd === undefined ? '–' : `${run.costSource === 'estimated' ? '~' : ''}${formatUsd(run.costUsd)}`)}</td>
  <td>${outcome}</td>
</tr>`;
    })
    .join('\n');
  return `<section>
  <h2>Every line</h2>
  <div class="table-wrap"><table class="lines">
    <thead><tr><th class="num">Line</th><th>Model and prompt</th><th>Status</th><th class="num">Latency</th><th class="num">Cost</th><th>Output</th></tr></thead>
    <tbody>
${rows}
    </tbody>
  </table></div>
</section>
`;
}
