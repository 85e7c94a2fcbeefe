import { formatCost, formatLatency, formatStatus, formatUsd } from '../format.ts';
import { measureColumns } from '../measures/measure-columns.ts';
import type { CompareResults, CompareRow } from '../results.ts';
import { providerClass } from './chart.ts';
import { escapeHtml } from './html.ts';
import { rankRows, type SortKey } from './sort-order.ts';

/**
 * The "All numbers" section: one line per model with its status, latency, costs, retries, warnings
 * and measures, each measure's meaning in its header's tooltip and in a key below. The body is
 * written once per sort key; the style sheet shows the one the sort buttons pick.
 */
export function renderNumbersTable(options: { results: CompareResults; keys: readonly SortKey[] }): string {
  const { results, keys } = options;
  const measures = measureColumns(results.rows);
  const line = (row: CompareRow) => `<tr>
  <td><strong>${escapeHtml(row.label)}</strong><small class="via"><i class="${providerClass(row.provider)}"></i>${escapeHtml(`${row.provider} · ${row.mode}`)}</small></td>
  <td><span class="pill ${row.status}">${escapeHtml(formatStatus(row))}</span></td>
  <td class="num">${escapeHtml(formatLatency(row.latency))}</td>
  <td class="num">${escapeHtml(formatCost({ usd: row.costPerEditUsd, source: row.costSource }))}</td>
  <td class="num">${escapeHtml(formatCost({ usd: row.costPerImageUsd, source: row.costSource }))}</td>
  <td class="num">${escapeHtml(row.totalCostUsd === undefined ? '–' : formatUsd(row.totalCostUsd))}</td>
  <td class="num">${row.retries}</td><td class="num">${row.warnings.length}</td>${measures
    .map((column) => `<td class="num">${escapeHtml(column.cell(row))}</td>`)
    .join('')}
</tr>`;
  const body = (key: string, order: readonly number[]) =>
    `<tbody class="sorted by-${key}">\n${order.map((index) => line(results.rows[index]!)).join('\n')}\n    </tbody>`;
  const bodies = [
    body(
      'given',
      results.rows.map((_, index) => index),
    ),
    ...(keys.length > 0 ? keys.map((key) => body(key.key, rankRows({ rows: results.rows, key }))) : []),
  ];
  const estimated = results.rows.some((row) => row.costSource === 'estimated');
  const key =
    measures.length === 0
      ? ''
      : `<dl class="measure-key">${measures
          .map(
            (column) =>
              `<div><dt>${escapeHtml(column.header)}</dt><dd>${escapeHtml(column.meaning)}</dd></div>`,
          )
          .join('')}</dl>`;
  return `<section>
  <h2>All numbers</h2>
  <div class="table-wrap"><table>
    <thead><tr><th>Model</th><th>Status</th><th class="num">Latency (range)</th><th class="num">Cost/edit</th><th class="num">Cost/image</th><th class="num">Total</th><th class="num">Retries</th><th class="num">Warnings</th>${measures
      .map(
        (column) => `<th class="num" title="${escapeHtml(column.meaning)}">${escapeHtml(column.header)}</th>`,
      )
      .join('')}</tr></thead>
    ${bodies.join('\n    ')}
  </table></div>
  ${key}
  ${estimated ? '<p class="note">~ marks costs estimated from published prices rather than reported by the provider.</p>' : ''}
</section>`;
}
