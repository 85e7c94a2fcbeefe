import { formatDuration, formatUsd, truncate } from '../format.ts';
import type { CompareResults, CompareRun } from '../results.ts';
import { escapeHtml, escapeRelativeUrl } from './html.ts';

/** The `src` of an image of the output directory: a `data:` URI when embedded, else its relative path. */
type ImageSource = (file: string, mediaType: string | undefined) => string;

/** A line's state as the filters read it. */
type LineState = 'ok' | 'failed' | 'possibly-billed';

function stateOf(run: CompareRun): LineState {
  if (run.status === 'succeeded') return 'ok';
  return run.error?.name === 'PossiblyBilledError' ? 'possibly-billed' : 'failed';
}

const STATE_WORDS: Record<LineState, string> = {
  ok: 'ok',
  failed: 'failed',
  'possibly-billed': 'possibly billed',
};

/**
 * A batch's every line, in manifest order: its input and output thumbnails, model and prompt, status,
 * latency and cost, or its error. Filters (radio buttons read by the style sheet, no script) show
 * every line, the failed ones, or those that may have been billed without an answer.
 */
export function renderBatchLinesSection(options: { results: CompareResults; source: ImageSource }): string {
  const { source } = options;
  const runs = [...options.results.runs].sort((left, right) => left.repeat - right.repeat);
  const thumbnail = (image: { file: string; mediaType?: string }, alt: string) =>
    `<img class="thumb" src="${source(image.file, image.mediaType)}" alt="${escapeHtml(alt)}" loading="lazy">`;
  const rows = runs
    .map((run) => {
      const state = stateOf(run);
      const input = run.input
        ? thumbnail(run.input, `line ${run.repeat}, input`)
        : '<span class="none">–</span>';
      const outcome =
        run.status === 'succeeded'
          ? run.images
              .map(
                (image, index) =>
                  `<a href="${escapeRelativeUrl(image.file)}">${thumbnail(image, `line ${run.repeat}, output ${index + 1}`)}</a>`,
              )
              .join('')
          : `<span class="error-line"><strong>${escapeHtml(run.error?.name ?? 'Error')}</strong> ${escapeHtml(run.error?.message ?? '')}</span>`;
      return `<tr class="line ${state}">
  <td class="num">${run.repeat}</td>
  <td>${input}</td>
  <td>${outcome}</td>
  <td><strong>${escapeHtml(run.label)}</strong><small class="via">${escapeHtml(truncate({ text: run.prompt ?? '', length: 80 }))}</small></td>
  <td><span class="pill ${run.status}">${STATE_WORDS[state]}</span></td>
  <td class="num">${escapeHtml(run.latencyMs === undefined ? '–' : formatDuration(run.latencyMs))}</td>
  <td class="num">${escapeHtml(run.costUsd === undefined ? '–' : `${run.costSource === 'estimated' ? '~' : ''}${formatUsd(run.costUsd)}`)}</td>
</tr>`;
    })
    .join('\n');
  const count = (state: LineState) => runs.filter((run) => stateOf(run) === state).length;
  const filter = (key: string, label: string, checked = false) =>
    `<input type="radio" name="lines" id="lines-${key}" value="${key}"${checked ? ' checked' : ''}><label for="lines-${key}">${escapeHtml(label)}</label>`;
  return `<section>
  <h2>Every line</h2>
  <div class="sort lines-filter" role="radiogroup" aria-label="Show lines">Show ${filter('all', `all ${runs.length}`, true)}${filter('failed', `failed ${count('failed')}`)}${filter('possibly-billed', `possibly billed ${count('possibly-billed')}`)}</div>
  <div class="table-wrap"><table class="lines">
    <thead><tr><th class="num">Line</th><th>Input</th><th>Output</th><th>Model and prompt</th><th>Status</th><th class="num">Time</th><th class="num">Cost</th></tr></thead>
    <tbody>
${rows}
    </tbody>
  </table></div>
</section>
`;
}
