import { formatDuration, formatUsd, truncate } from '../format.ts';
import type { CompareRow } from '../results.ts';
import { escapeHtml } from './html.ts';

const WIDTH = 720;
const HEIGHT = 380;
const MARGIN = { top: 24, right: 28, bottom: 52, left: 72 };

/** A point of the chart: one model. */
interface Point {
  label: string;
  provider: string;
  x: number;
  xMin: number;
  xMax: number;
  y: number;
  frontier: boolean;
}

/**
 * The models on the Pareto frontier of cost per image and median latency: none of the others is
 * both cheaper and faster. These are the only sensible picks; the rest are dominated.
 */
export function frontierLabels(rows: readonly CompareRow[]): Set<string> {
  const plotted = rows.filter((row) => row.latency && row.costPerImageUsd !== undefined);
  const frontier = new Set<string>();
  for (const row of plotted) {
    const dominated = plotted.some(
      (other) =>
        other !== row &&
        other.latency!.medianMs <= row.latency!.medianMs &&
        other.costPerImageUsd! <= row.costPerImageUsd! &&
        (other.latency!.medianMs < row.latency!.medianMs || other.costPerImageUsd! < row.costPerImageUsd!),
    );
    if (!dominated) frontier.add(row.label);
  }
  return frontier;
}

/** Round tick steps (1, 2, 2.5, 5 × 10^k) covering 0..max in about `count` steps. */
function ticks(max: number, count: number): number[] {
  const safeMax = max > 0 ? max : 1;
  const raw = safeMax / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= raw)!;
  const values: number[] = [];
  for (let value = 0; value <= safeMax + step * 1e-9; value += step)
    values.push(Number(value.toPrecision(12)));
  if (values.at(-1)! < safeMax) values.push(Number((values.at(-1)! + step).toPrecision(12)));
  return values;
}

/**
 * An inline SVG scatter chart of cost per image against median latency, one point per model, with
 * the latency range over repeats as a whisker and the Pareto frontier dashed. Colours come from CSS
 * variables so it follows the page's light or dark scheme. Returns an empty string when no model has
 * both a latency and a cost.
 *
 * @example
 * const svg = renderCostLatencyChart({ rows: results.rows });
 */
export function renderCostLatencyChart(options: { rows: readonly CompareRow[] }): string {
  const frontier = frontierLabels(options.rows);
  const points: Point[] = options.rows
    .filter((row) => row.latency && row.costPerImageUsd !== undefined)
    .map((row) => ({
      label: row.label,
      provider: row.provider,
      x: row.latency!.medianMs / 1000,
      xMin: row.latency!.minMs / 1000,
      xMax: row.latency!.maxMs / 1000,
      y: row.costPerImageUsd!,
      frontier: frontier.has(row.label),
    }));
  if (points.length === 0) return '';

  const xTicks = ticks(Math.max(...points.map((point) => point.xMax)) * 1.08, 6);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const xMax = xTicks.at(-1)!;
  const sx = (value: number) => MARGIN.left + (value / xMax) * plotWidth;
  const yAxis = costScale({ costs: points.map((point) => point.y), top: MARGIN.top, height: plotHeight });
  const yTicks = yAxis.ticks;
  const sy = yAxis.scale;
  const fixed = (value: number) => value.toFixed(1);

  const parts: string[] = [];
  for (const tick of yTicks) {
    const y = fixed(sy(tick));
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}"/>`);
    parts.push(
      `<text class="tick" x="${MARGIN.left - 10}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(formatTickUsd(tick))}</text>`,
    );
  }
  for (const tick of xTicks) {
    const x = fixed(sx(tick));
    parts.push(`<line class="grid" x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}"/>`);
    parts.push(
      `<text class="tick" x="${x}" y="${MARGIN.top + plotHeight + 20}" text-anchor="middle">${escapeHtml(formatTickSeconds(tick))}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${MARGIN.top + plotHeight}" y2="${MARGIN.top + plotHeight}"/>`,
  );
  parts.push(
    `<line class="axis" x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}"/>`,
  );
  parts.push(
    `<text class="axis-title" x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 10}" text-anchor="middle">median latency (whiskers: fastest–slowest run)</text>`,
  );
  parts.push(
    `<text class="axis-title" transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">cost per image (USD${yAxis.logarithmic ? ', log scale' : ''})</text>`,
  );
  parts.push(
    `<text class="hint" x="${MARGIN.left + 10}" y="${MARGIN.top + plotHeight - 10}">↙ cheaper and faster</text>`,
  );

  const front = points.filter((point) => point.frontier).sort((left, right) => left.x - right.x);
  if (front.length > 1) {
    const path = front.map((point) => `${fixed(sx(point.x))},${fixed(sy(point.y))}`).join(' ');
    parts.push(`<polyline class="frontier" points="${path}"/>`);
  }

  // Labels avoid each other and every dot.
  const placed: { x1: number; y1: number; x2: number; y2: number }[] = points.map((point) => ({
    x1: sx(point.x) - 8,
    y1: sy(point.y) - 8,
    x2: sx(point.x) + 8,
    y2: sy(point.y) + 8,
  }));
  for (const point of points) {
    const x = sx(point.x);
    const y = sy(point.y);
    const provider = providerClass(point.provider);
    if (point.xMax > point.xMin) {
      parts.push(
        `<g class="whisker ${provider}"><line x1="${fixed(sx(point.xMin))}" x2="${fixed(sx(point.xMax))}" y1="${fixed(y)}" y2="${fixed(y)}"/>` +
          `<line x1="${fixed(sx(point.xMin))}" x2="${fixed(sx(point.xMin))}" y1="${fixed(y - 5)}" y2="${fixed(y + 5)}"/>` +
          `<line x1="${fixed(sx(point.xMax))}" x2="${fixed(sx(point.xMax))}" y1="${fixed(y - 5)}" y2="${fixed(y + 5)}"/></g>`,
      );
    }
    if (point.frontier)
      parts.push(`<circle class="halo ${provider}" cx="${fixed(x)}" cy="${fixed(y)}" r="11"/>`);
    parts.push(
      `<circle class="dot ${provider}" cx="${fixed(x)}" cy="${fixed(y)}" r="6"><title>${escapeHtml(`${point.label}: ${formatDuration(point.x * 1000)}, ${formatUsd(point.y)} per image`)}</title></circle>`,
    );
    const text = truncate({ text: point.label, length: 34 });
    const textWidth = text.length * 6.6;
    const candidates = [
      { x: x + 14, y: y + 4, anchor: 'start' },
      { x: x - 14, y: y + 4, anchor: 'end' },
      { x: x, y: y - 16, anchor: 'middle' },
      { x: x, y: y + 24, anchor: 'middle' },
      { x: x + 12, y: y - 12, anchor: 'start' },
      { x: x + 12, y: y + 20, anchor: 'start' },
      { x: x - 12, y: y - 12, anchor: 'end' },
      { x: x - 12, y: y + 20, anchor: 'end' },
    ];
    const box = (candidate: (typeof candidates)[number]) => {
      const left =
        candidate.anchor === 'start'
          ? candidate.x
          : candidate.anchor === 'end'
            ? candidate.x - textWidth
            : candidate.x - textWidth / 2;
      return { x1: left, y1: candidate.y - 11, x2: left + textWidth, y2: candidate.y + 3 };
    };
    const fits = (candidate: (typeof candidates)[number]) => {
      const b = box(candidate);
      if (b.x1 < MARGIN.left + 2 || b.x2 > WIDTH - 4 || b.y1 < 2 || b.y2 > MARGIN.top + plotHeight - 2)
        return false;
      return !placed.some(
        (other) => b.x1 < other.x2 && b.x2 > other.x1 && b.y1 < other.y2 && b.y2 > other.y1,
      );
    };
    const chosen = candidates.find(fits) ?? candidates[0]!;
    placed.push(box(chosen));
    parts.push(
      `<text class="label" x="${fixed(chosen.x)}" y="${fixed(chosen.y)}" text-anchor="${chosen.anchor}">${escapeHtml(text)}</text>`,
    );
  }

  return (
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Cost per image against median latency, one point per model" xmlns="http://www.w3.org/2000/svg">` +
    `<title>Cost per image against median latency</title>${parts.join('')}</svg>`
  );
}

/**
 * The vertical scale. Prices of image models span orders of magnitude (a cent to a dollar), and on a
 * linear axis the cheap models pile up at the bottom: past a ratio of 6 between the dearest and the
 * cheapest, the axis is logarithmic with 1-2-5 ticks.
 */
export function costScale(options: { costs: readonly number[]; top: number; height: number }): {
  scale: (usd: number) => number;
  ticks: number[];
  logarithmic: boolean;
} {
  const low = Math.min(...options.costs);
  const high = Math.max(...options.costs);
  const bottom = options.top + options.height;
  if (low > 0 && high / low >= 6) {
    const from = Math.log10(low) - 0.15;
    const to = Math.log10(high) + 0.15;
    const scale = (usd: number) => bottom - ((Math.log10(usd) - from) / (to - from)) * options.height;
    const tickValues: number[] = [];
    for (let decade = Math.floor(from); decade <= Math.ceil(to); decade += 1) {
      for (const factor of [1, 2, 5]) {
        const value = Number((factor * 10 ** decade).toPrecision(6));
        const position = Math.log10(value);
        if (position >= from && position <= to) tickValues.push(value);
      }
    }
    return { scale, ticks: tickValues, logarithmic: true };
  }
  const tickValues = ticks(high * 1.12, 5);
  const max = tickValues.at(-1)!;
  return {
    scale: (usd: number) => bottom - (usd / max) * options.height,
    ticks: tickValues,
    logarithmic: false,
  };
}

/** A dollar tick without trailing zeros: `$0`, `$0.02`, `$0.025`. */
export function formatTickUsd(usd: number): string {
  if (usd === 0) return '$0';
  const text = String(Number(usd.toPrecision(6)));
  const decimals = text.split('.')[1]?.length ?? 0;
  return `$${usd.toFixed(Math.max(2, decimals))}`;
}

/** A seconds tick: `0s`, `1.5s`, `10s`. */
function formatTickSeconds(seconds: number): string {
  return `${Number(seconds.toPrecision(6))}s`;
}

/** The CSS class carrying a provider's colour: `p-oxen`, `p-edenai`, or `p-other`. */
export function providerClass(provider: string): string {
  return provider === 'oxen' || provider === 'edenai' ? `p-${provider}` : 'p-other';
}
