import { formatDuration, formatUsd } from '../format.ts';
import type { CompareResults, CompareRow } from '../results.ts';
import { providerClass, renderCostLatencyChart } from './chart.ts';
import { escapeHtml } from './html.ts';

/**
 * The "Cost against latency" section: the chart with its legend and the models it cannot plot, and
 * the models ranked by cost per image and by median latency. Empty when no model can be plotted.
 */
export function renderCostLatencySection(options: {
  results: CompareResults;
  /** The labels on the chart's frontier (see `frontierLabels`). */
  frontier: ReadonlySet<string>;
}): string {
  const { results, frontier } = options;
  const chart = renderCostLatencyChart({ rows: results.rows });
  if (!chart) return '';
  const plotted = results.rows.filter((row) => row.latency && row.costPerImageUsd !== undefined);
  const unplotted = results.rows.filter((row) => !plotted.includes(row));
  const providers = [...new Set(results.rows.map((row) => row.provider))];
  const rankings =
    renderRanking({
      rows: results.rows,
      title: 'Cost per image, cheapest first',
      value: (row) => row.costPerImageUsd,
      format: formatUsd,
    }) +
    renderRanking({
      rows: results.rows,
      title: 'Median latency, fastest first',
      value: (row) => row.latency?.medianMs,
      format: formatDuration,
    });
  return `<section>
  <h2>Cost against latency</h2>
  <div class="insights">
  <div class="panel">
    ${chart}
    <div class="legend">${providers
      .map((provider) => `<span><i class="${providerClass(provider)}"></i>${escapeHtml(provider)}</span>`)
      .join(
        '',
      )}${frontier.size > 1 ? '<span><i class="dash"></i>frontier: nothing else is both cheaper and faster</span>' : ''}</div>
    ${
      unplotted.length > 0
        ? `<p class="note">Not plotted (no successful run with a known cost): ${unplotted.map((row) => escapeHtml(row.label)).join(', ')}.</p>`
        : ''
    }
  </div>
  <div class="panel">${rankings}</div>
  </div>
</section>`;
}

/** The rows with a value, smallest first, as bars scaled to the largest. */
function renderRanking(options: {
  rows: readonly CompareRow[];
  title: string;
  value: (row: CompareRow) => number | undefined;
  format: (value: number) => string;
}): string {
  const { title, value, format } = options;
  const ranked = options.rows
    .filter((row) => value(row) !== undefined)
    .sort((left, right) => value(left)! - value(right)!);
  if (ranked.length === 0) return '';
  const largest = Math.max(...ranked.map((row) => value(row)!)) || 1;
  return `<h3>${escapeHtml(title)}</h3><ol class="bars">${ranked
    .map(
      (row) =>
        `<li><span class="name" title="${escapeHtml(row.label)}">${escapeHtml(row.label)}</span><span class="value">${escapeHtml(format(value(row)!))}</span><span class="track"><span class="${providerClass(row.provider)}" style="width: ${((value(row)! / largest) * 100).toFixed(1)}%"></span></span></li>`,
    )
    .join('')}</ol>`;
}
