import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDuration, formatUsd, truncate } from '../format.ts';
import type { CompareResults, CompareRow } from '../results.ts';
import { renderBatchLinesSection } from './batch-lines-section.ts';
import { frontierLabels } from './chart.ts';
import { renderCostLatencySection } from './cost-latency-section.ts';
import { planEmbeddedImages } from './embedded-images.ts';
import { escapeHtml, escapeRelativeUrl } from './html.ts';
import { renderNumbersTable } from './numbers-table.ts';
import { renderInputCards, renderModelCard } from './report-cards.ts';
import { REPORT_CSS } from './report-styles.ts';
import { renderCostSimilaritySection } from './similarity-chart.ts';
import { renderSortControls, sortKeys, sortStyles } from './sort-order.ts';

/**
 * What the page may load: images from itself (embedded) or beside it, its own inline styles, and
 * nothing else: no script, no font, no connection, so the report cannot call out even if a provider's
 * text slipped past the escaping.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; img-src data: 'self'; style-src 'unsafe-inline'; script-src 'none'; base-uri 'none'; form-action 'none'";

/** Options of {@link renderReport}. */
export interface RenderReportOptions {
  /** The comparison to show. */
  results: CompareResults;
  /**
   * Bytes of the images to embed as `data:` URIs, keyed by their path relative to the output
   * directory (as in `results.json`). Images missing here are referenced by that relative path, so
   * they still show when `report.html` sits in its output directory.
   */
  images?: ReadonlyMap<string, Uint8Array>;
}

/**
 * Renders the comparison as one self-contained HTML page: the prompt, headline numbers, the input
 * and every model's outputs side by side with cost and latency, failures with their error, an SVG
 * chart of cost against latency and the full table. Inline CSS, no scripts, no network: it opens
 * from disk and can be shared as a single file.
 *
 * @example
 * const html = renderReport({ results, images: new Map([['inputs/sample.png', bytes]]) });
 */
export function renderReport(options: RenderReportOptions): string {
  const { results } = options;
  const images = options.images ?? new Map<string, Uint8Array>();
  const source = (file: string, mediaType: string | undefined) => {
    const bytes = images.get(file);
    if (!bytes) return escapeRelativeUrl(file);
    return `data:${mediaType ?? 'image/png'};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
  };
  const firstInput = results.inputs[0];
  const ratio =
    firstInput?.width && firstInput.height ? `${firstInput.width} / ${firstInput.height}` : '3 / 2';
  const plotted = results.rows.filter((row) => row.latency && row.costPerImageUsd !== undefined);
  const frontier = frontierLabels(results.rows);
  const fastest = minimumBy(
    results.rows.filter((row) => row.latency),
    (row) => row.latency!.medianMs,
  );
  const cheapest = minimumBy(
    results.rows.filter((row) => row.costPerImageUsd !== undefined),
    (row) => row.costPerImageUsd!,
  );
  const estimated = results.rows.some((row) => row.costSource === 'estimated');

  const badges = (row: CompareRow) => {
    const list: string[] = [];
    if (results.rows.length > 1 && row === fastest) list.push('fastest');
    if (results.rows.length > 1 && row === cheapest) list.push('cheapest');
    if (list.length === 0 && frontier.has(row.label) && frontier.size < plotted.length)
      list.push('good trade-off');
    return list.map((badge) => `<span class="chip best">${badge}</span>`).join('');
  };

  const cards = [
    ...renderInputCards({ results, source }),
    ...results.rows.map((row, index) =>
      renderModelCard({ results, row, index, source, badges: badges(row) }),
    ),
  ];
  const chartSection = renderCostLatencySection({ results, frontier });

  const keys = sortKeys(results.rows);

  const summary = results.summary;
  const created = new Date(results.createdAt);
  const createdText = Number.isNaN(created.getTime())
    ? results.createdAt
    : `${created.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const requestOptions = results.options;
  const batch = results.batch;
  const optionText = [
    batch ? `${batch.lines} line${batch.lines === 1 ? '' : 's'}` : undefined,
    batch && batch.fromEarlierRuns > 0 ? `${batch.fromEarlierRuns} finished by an earlier run` : undefined,
    batch && batch.resumed > 0 ? `${batch.resumed} resumed from provider jobs` : undefined,
    batch?.ranIn === 'queue' ? 'run by queue workers' : undefined,
    requestOptions.repeat > 1 ? `${requestOptions.repeat} runs per model` : undefined,
    requestOptions.size ? `size ${requestOptions.size}` : undefined,
    requestOptions.aspectRatio ? `aspect ratio ${requestOptions.aspectRatio}` : undefined,
    requestOptions.quality ? `quality ${requestOptions.quality}` : undefined,
    requestOptions.n ? `${requestOptions.n} outputs` : undefined,
    requestOptions.budgetUsd !== undefined ? `budget ${formatUsd(requestOptions.budgetUsd)}` : undefined,
  ].filter(Boolean);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="@retouch/compare">
<link rel="icon" href="data:,">
<title>${escapeHtml(`${results.batch ? 'Retouch batch' : 'Retouch comparison'}: ${truncate({ text: results.prompt, length: 60 })}`)}</title>
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<style>${REPORT_CSS}
${sortStyles({ rows: results.rows, keys })}</style>
</head>
<body>
<main>
<header class="hero">
  <div class="eyebrow"><span class="logo"></span>Retouch · ${results.batch ? 'batch' : 'model comparison'}${results.simulated ? ' <span class="badge">simulated</span>' : ''}</div>
  <h1 class="prompt${results.batch ? ' manifest' : ''}">${escapeHtml(results.prompt)}</h1>
  <div class="meta"><span>${escapeHtml(createdText)}</span><span>${summary.models} model${summary.models === 1 ? '' : 's'}</span><span>${summary.runs} edit${summary.runs === 1 ? '' : 's'}</span>${optionText.map((text) => `<span>${escapeHtml(text!)}</span>`).join('')}</div>
</header>

<dl class="stats">
  <div class="stat"><dt>Fastest</dt><dd>${fastest ? escapeHtml(formatDuration(fastest.latency!.medianMs)) : '–'}<small>${fastest ? escapeHtml(fastest.label) : 'no successful edit'}</small></dd></div>
  <div class="stat"><dt>Cheapest per image</dt><dd>${cheapest ? escapeHtml(formatUsd(cheapest.costPerImageUsd!)) : '–'}<small>${cheapest ? escapeHtml(cheapest.label) : 'no cost reported'}</small></dd></div>
  <div class="stat"><dt>Total spent</dt><dd>${escapeHtml(formatUsd(summary.totalCostUsd))}<small>${estimated ? 'partly estimated from prices' : 'as reported by the providers'}${summary.possiblyBilledUsd ? escapeHtml(` · ~${formatUsd(summary.possiblyBilledUsd)} possibly billed`) : ''}${summary.judgeCostUsd === undefined ? '' : escapeHtml(` · judge ${formatUsd(summary.judgeCostUsd)} more`)}</small></dd></div>
  <div class="stat"><dt>Succeeded</dt><dd>${summary.succeeded} / ${summary.runs}<small>${summary.failed > 0 ? `${summary.failed} failed · ` : ''}${escapeHtml(formatDuration(summary.wallTimeMs))} wall time</small></dd></div>
</dl>

<section>
  <h2>Outputs</h2>
  ${results.rows.length > 1 ? renderSortControls(keys) : ''}
  <div class="grid" style="--ratio: ${ratio}">
${cards.join('\n')}
  </div>
</section>

${chartSection}

${renderCostSimilaritySection({ rows: results.rows })}

${results.batch ? renderBatchLinesSection({ results, source }) : ''}
${renderNumbersTable({ results, keys })}

<footer><span>Made with <strong>Retouch</strong></span><span>Raw data: <a href="results.json">results.json</a> · <a href="results.csv">results.csv</a></span></footer>
</main>
</body>
</html>
`;
}

/**
 * Writes `report.html` into the output directory, embedding images as planned by
 * {@link planEmbeddedImages}, and returns its path.
 *
 * @example
 * const path = await writeReport({ results, outDir: './retouch-compare' });
 */
export async function writeReport(options: {
  results: CompareResults;
  outDir: string;
  maxEmbeddedBytes?: number;
}): Promise<string> {
  const files = planEmbeddedImages(options);
  const images = new Map<string, Uint8Array>();
  for (const file of files) {
    try {
      images.set(file, await readFile(join(options.outDir, ...file.split('/'))));
    } catch {
      // A file that cannot be read is referenced instead of embedded; the report still renders.
    }
  }
  const path = join(options.outDir, 'report.html');
  await writeFile(path, renderReport({ results: options.results, images }));
  return path;
}

function minimumBy<T>(items: readonly T[], key: (item: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || key(item) < key(best)) best = item;
  return best;
}
