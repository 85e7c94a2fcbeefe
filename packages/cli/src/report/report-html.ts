import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatBytes, formatDuration, formatUsd } from '../format.ts';
import type { CompareResults, CompareRow, CompareRun, SavedImage } from '../results.ts';
import { formatCost, formatLatency, formatStatus } from '../table.ts';
import { frontierLabels, providerClass, renderCostLatencyChart } from './chart.ts';
import { escapeHtml, escapeRelativeUrl } from './html.ts';
import { REPORT_CSS } from './report-styles.ts';

/** The default ceiling on image bytes embedded in `report.html`. */
export const DEFAULT_MAX_EMBEDDED_BYTES = 20 * 1024 * 1024;

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
 * Which image files to embed in the report, in priority order (the inputs, then the first successful
 * run of each model, then the other runs) until `maxEmbeddedBytes` is reached. Past it, images are
 * linked as files beside the report instead, so a comparison with many large outputs stays openable.
 */
export function planEmbeddedImages(options: {
  results: CompareResults;
  maxEmbeddedBytes?: number;
}): string[] {
  const budget = options.maxEmbeddedBytes ?? DEFAULT_MAX_EMBEDDED_BYTES;
  const candidates: { file: string; bytes: number }[] = [];
  for (const input of options.results.inputs) {
    if (input.file) candidates.push({ file: input.file, bytes: input.bytes ?? 0 });
  }
  const showcases = options.results.rows.map((_, index) => showcaseRun(options.results.runs, index));
  for (const run of showcases) for (const image of run?.images ?? []) candidates.push(image);
  for (const run of options.results.runs) {
    if (showcases.includes(run)) continue;
    for (const image of run.images) candidates.push(image);
  }
  const chosen: string[] = [];
  let total = 0;
  for (const candidate of candidates) {
    if (chosen.includes(candidate.file)) continue;
    if (total + candidate.bytes > budget) continue;
    total += candidate.bytes;
    chosen.push(candidate.file);
  }
  return chosen;
}

/** The run whose outputs a model's card shows large: its first successful one. */
function showcaseRun(runs: readonly CompareRun[], entry: number): CompareRun | undefined {
  return runs.find((run) => run.entry === entry && run.status === 'succeeded' && run.images.length > 0);
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

  const inputCards = results.inputs.map((input, index) => {
    const src = input.file ? source(input.file, input.mediaType) : escapeHtml(input.source);
    const details = [
      input.width && input.height ? `${input.width}×${input.height}` : undefined,
      input.mediaType?.replace('image/', '').toUpperCase(),
      input.bytes ? formatBytes(input.bytes) : undefined,
    ].filter(Boolean);
    return `<article class="card input">
  <figure class="shot"><img src="${src}" alt="Input picture${results.inputs.length > 1 ? ` ${index + 1}` : ''}"></figure>
  <div class="body">
    <div class="title"><h3>Input${results.inputs.length > 1 ? ` ${index + 1}` : ''}</h3><span class="pill succeeded">original</span></div>
    <div class="input-meta">${escapeHtml(baseName(input.source))}</div>
    <div class="input-meta">${escapeHtml(details.join(' · '))}</div>
  </div>
</article>`;
  });

  const modelCards = results.rows.map((row, index) => {
    const showcase = showcaseRun(results.runs, index);
    const otherRuns = results.runs.filter(
      (run) => run.entry === index && run !== showcase && run.images.length > 0,
    );
    const hero = showcase
      ? `<figure class="shot"><img src="${source(showcase.images[0]!.file, showcase.images[0]!.mediaType)}" alt="${escapeHtml(`${row.label}, output 1`)}"${dimensions(showcase.images[0]!)}></figure>`
      : `<div class="shot failed"><div>${FAILED_ICON}<span>No image</span></div></div>`;
    const thumbs = [
      ...(showcase?.images
        .slice(1)
        .map((image, position) => ({ image, caption: `#${showcase.repeat}·${position + 2}` })) ?? []),
      ...otherRuns.flatMap((run) =>
        run.images.map((image, position) => ({
          image,
          caption: results.batch
            ? `line ${run.repeat}${run.images.length > 1 ? `·${position + 1}` : ''}`
            : run.images.length > 1
              ? `#${run.repeat}·${position + 1}`
              : `run ${run.repeat}`,
        })),
      ),
    ];
    const thumbStrip =
      thumbs.length === 0
        ? ''
        : `<div class="thumbs">${thumbs
            .map(
              ({ image, caption }) =>
                `<figure><img src="${source(image.file, image.mediaType)}" alt="${escapeHtml(`${row.label}, ${caption}`)}"><figcaption>${escapeHtml(caption)}</figcaption></figure>`,
            )
            .join('')}</div>`;
    const latency = row.latency
      ? `${escapeHtml(formatDuration(row.latency.medianMs))}${
          row.latency.maxMs > row.latency.minMs
            ? `<small>${escapeHtml(`${formatDuration(row.latency.minMs)}–${formatDuration(row.latency.maxMs)}`)}</small>`
            : `<small>${row.succeeded > 1 ? 'median' : 'one run'}</small>`
        }`
      : '–';
    const warnings =
      row.warnings.length === 0
        ? ''
        : `<details class="warnings"><summary>${row.warnings.length} warning${row.warnings.length === 1 ? '' : 's'}</summary><ul>${row.warnings
            .map((warning) => `<li>${escapeHtml(warning)}</li>`)
            .join('')}</ul></details>`;
    const errors = row.errors
      .map((line) => {
        const separator = line.indexOf(': ');
        const name = separator > 0 ? line.slice(0, separator) : 'Error';
        const message = separator > 0 ? line.slice(separator + 2) : line;
        return `<div class="error"><strong>${escapeHtml(name)}</strong>${escapeHtml(message)}</div>`;
      })
      .join('');
    const costNote =
      row.costPerEditUsd === undefined
        ? ''
        : row.costSource === 'estimated'
          ? '<small>estimated</small>'
          : row.succeeded > 1
            ? '<small>mean</small>'
            : '';
    return `<article class="card model ${row.status}">
  ${hero}
  ${thumbStrip}
  <div class="body">
    <div class="title"><h3>${escapeHtml(row.label)}</h3><span class="pill ${row.status}">${escapeHtml(statusWord(row))}</span></div>
    <div class="chips"><span class="chip ${providerClass(row.provider)}">${escapeHtml(row.provider)}</span><span class="chip">${escapeHtml(row.mode)}</span>${row.retries > 0 ? `<span class="chip">${row.retries} ${row.retries === 1 ? 'retry' : 'retries'}</span>` : ''}${badges(row)}</div>
    <dl class="metrics">
      <div class="metric"><dt>Latency</dt><dd>${latency}</dd></div>
      <div class="metric"><dt>Cost/edit</dt><dd>${escapeHtml(row.costPerEditUsd === undefined ? '–' : formatUsd(row.costPerEditUsd))}${costNote}</dd></div>
      <div class="metric"><dt>Cost/image</dt><dd>${escapeHtml(row.costPerImageUsd === undefined ? '–' : formatUsd(row.costPerImageUsd))}<small>${row.images} image${row.images === 1 ? '' : 's'}</small></dd></div>
    </dl>
    ${warnings}${errors}
  </div>
</article>`;
  });

  const chart = renderCostLatencyChart({ rows: results.rows });
  const unplotted = results.rows.filter((row) => !plotted.includes(row));
  const providers = [...new Set(results.rows.map((row) => row.provider))];
  const ranking = (
    title: string,
    value: (row: CompareRow) => number | undefined,
    format: (value: number) => string,
  ) => {
    const ranked = results.rows
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
  };
  const rankings =
    ranking('Cost per image, cheapest first', (row) => row.costPerImageUsd, formatUsd) +
    ranking('Median latency, fastest first', (row) => row.latency?.medianMs, formatDuration);
  const chartSection = chart
    ? `<section>
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
</section>`
    : '';

  const tableRows = results.rows
    .map(
      (row) => `<tr>
  <td><strong>${escapeHtml(row.label)}</strong><small class="via"><i class="${providerClass(row.provider)}"></i>${escapeHtml(`${row.provider} · ${row.mode}`)}</small></td>
  <td><span class="pill ${row.status}">${escapeHtml(formatStatus(row))}</span></td>
  <td class="num">${escapeHtml(formatLatency(row.latency))}</td>
  <td class="num">${escapeHtml(formatCost(row.costPerEditUsd, row.costSource))}</td>
  <td class="num">${escapeHtml(formatCost(row.costPerImageUsd, row.costSource))}</td>
  <td class="num">${escapeHtml(row.totalCostUsd === undefined ? '–' : formatUsd(row.totalCostUsd))}</td>
  <td class="num">${row.retries}</td><td class="num">${row.warnings.length}</td>
</tr>`,
    )
    .join('\n');

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
<meta name="generator" content="@retouch/cli">
<link rel="icon" href="data:,">
<title>${escapeHtml(`${results.batch ? 'Retouch batch' : 'Retouch comparison'}: ${truncate(results.prompt, 60)}`)}</title>
<style>${REPORT_CSS}</style>
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
  <div class="stat"><dt>Total spent</dt><dd>${escapeHtml(formatUsd(summary.totalCostUsd))}<small>${estimated ? 'partly estimated from prices' : 'as reported by the providers'}</small></dd></div>
  <div class="stat"><dt>Succeeded</dt><dd>${summary.succeeded} / ${summary.runs}<small>${summary.failed > 0 ? `${summary.failed} failed · ` : ''}${escapeHtml(formatDuration(summary.wallTimeMs))} wall time</small></dd></div>
</dl>

<section>
  <h2>Outputs</h2>
  <div class="grid" style="--ratio: ${ratio}">
${[...inputCards, ...modelCards].join('\n')}
  </div>
</section>

${chartSection}

${results.batch ? renderBatchLines({ results }) : ''}
<section>
  <h2>All numbers</h2>
  <div class="table-wrap"><table>
    <thead><tr><th>Model</th><th>Status</th><th class="num">Latency (range)</th><th class="num">Cost/edit</th><th class="num">Cost/image</th><th class="num">Total</th><th class="num">Retries</th><th class="num">Warnings</th></tr></thead>
    <tbody>
${tableRows}
    </tbody>
  </table></div>
  ${estimated ? '<p class="note">~ marks costs estimated from published prices rather than reported by the provider.</p>' : ''}
</section>

<footer><span>Made with <strong>@retouch/cli</strong></span><span>Raw data: <a href="results.json">results.json</a> · <a href="results.csv">results.csv</a></span></footer>
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

/**
 * A batch's every line, in manifest order: its model and prompt, status, latency and cost, and its
 * output files (linked: the cards above show the pictures) or its error.
 */
function renderBatchLines(options: { results: CompareResults }): string {
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
  <td><strong>${escapeHtml(run.label)}</strong><small class="via">${escapeHtml(truncate(run.prompt ?? '', 80))}</small></td>
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

const FAILED_ICON =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><circle cx="12" cy="12" r="10"/><path d="M15 9l-6 6M9 9l6 6"/></svg>';

function statusWord(row: CompareRow): string {
  if (row.status === 'succeeded') return 'ok';
  if (row.status === 'partial') return `${row.succeeded}/${row.runs} ok`;
  return 'failed';
}

function dimensions(image: SavedImage): string {
  return image.width && image.height ? ` width="${image.width}" height="${image.height}"` : '';
}

function minimumBy<T>(items: readonly T[], key: (item: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || key(item) < key(best)) best = item;
  return best;
}

function baseName(source: string): string {
  if (/^https?:/i.test(source)) return source;
  return source.split(/[\\/]/).at(-1) ?? source;
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
