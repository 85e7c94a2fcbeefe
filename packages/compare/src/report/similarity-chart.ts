import { formatUsd, truncate } from '../format.ts';
import type { CompareRow } from '../results.ts';
import { costScale, formatTickUsd, providerClass } from './chart.ts';
import { escapeHtml } from './html.ts';

const WIDTH = 720;
const HEIGHT = 340;
const MARGIN = { top: 24, right: 28, bottom: 52, left: 72 };

/**
 * An inline SVG scatter chart of cost per image against the kept region's similarity (SSIM), one
 * point per measured model: up and to the right keeps the picture best for the money. Empty when no
 * model has both numbers.
 */
export function renderCostSimilarityChart(options: { rows: readonly CompareRow[] }): string {
  const points = options.rows
    .filter((row) => row.measures?.keptSimilarity !== undefined && row.costPerImageUsd !== undefined)
    .map((row) => ({
      label: row.label,
      provider: row.provider,
      x: row.measures!.keptSimilarity!,
      y: row.costPerImageUsd!,
    }));
  if (points.length === 0) return '';
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  // From a round tenth under the lowest similarity to 1, so a close race is not squeezed into a corner.
  const xMin = Math.max(-1, Math.min(0.9, Math.floor(Math.min(...points.map((point) => point.x)) * 10) / 10));
  const sx = (value: number) => MARGIN.left + ((value - xMin) / (1 - xMin)) * plotWidth;
  const yAxis = costScale({ costs: points.map((point) => point.y), top: MARGIN.top, height: plotHeight });
  const fixed = (value: number) => value.toFixed(1);
  const parts: string[] = [];
  for (const tick of yAxis.ticks) {
    const y = fixed(yAxis.scale(tick));
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}"/>`);
    parts.push(
      `<text class="tick" x="${MARGIN.left - 10}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(formatTickUsd(tick))}</text>`,
    );
  }
  const steps = Math.round((1 - xMin) * 10);
  for (let step = 0; step <= steps; step += steps > 10 ? 2 : 1) {
    const value = xMin + step / 10;
    const x = fixed(sx(value));
    parts.push(`<line class="grid" x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}"/>`);
    parts.push(
      `<text class="tick" x="${x}" y="${MARGIN.top + plotHeight + 20}" text-anchor="middle">${value.toFixed(1)}</text>`,
    );
  }
  parts.push(
    `<text class="axis-title" x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 10}" text-anchor="middle">similarity of the region to keep (SSIM, 1 = untouched)</text>`,
    `<text class="axis-title" transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">cost per image (USD${yAxis.logarithmic ? ', log scale' : ''})</text>`,
    `<text class="hint" x="${WIDTH - MARGIN.right - 10}" y="${MARGIN.top + plotHeight - 10}" text-anchor="end">cheaper and keeps more ↘</text>`,
  );
  for (const [index, point] of points.entries()) {
    const x = sx(point.x);
    const y = yAxis.scale(point.y);
    const provider = providerClass(point.provider);
    parts.push(
      `<circle class="dot ${provider}" cx="${fixed(x)}" cy="${fixed(y)}" r="6"><title>${escapeHtml(`${point.label}: similarity ${point.x.toFixed(3)}, ${formatUsd(point.y)} per image`)}</title></circle>`,
    );
    const anchor = x > WIDTH - 200 ? 'end' : 'start';
    parts.push(
      `<text class="label" x="${fixed(anchor === 'end' ? x - 12 : x + 12)}" y="${fixed(y + 4 + (index % 2 === 0 ? 0 : 14))}" text-anchor="${anchor}">${escapeHtml(truncate({ text: point.label, length: 34 }))}</text>`,
    );
  }
  return (
    `<svg class="chart similarity" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Cost per image against the similarity of the region to keep, one point per model" xmlns="http://www.w3.org/2000/svg">` +
    `<title>Cost per image against kept-region similarity</title>${parts.join('')}</svg>`
  );
}

/** The "Cost against what was kept" section, or nothing when no model was measured with a cost. */
export function renderCostSimilaritySection(options: { rows: readonly CompareRow[] }): string {
  const chart = renderCostSimilarityChart(options);
  if (!chart) return '';
  return `<section>
  <h2>Cost against what was kept</h2>
  <div class="panel">${chart}<p class="note">Similarity is measured outside the mask (or over the whole picture without one): a model that repaints what it was not asked to change scores lower.</p></div>
</section>`;
}
