import { formatBytes, formatDuration, formatUsd } from '../format.ts';
import type { CompareResults, CompareRow, SavedImage } from '../results.ts';
import { providerClass } from './chart.ts';
import { showcaseRun } from './embedded-images.ts';
import { escapeHtml } from './html.ts';
import { renderBeforeAfter, renderMeasureMetrics } from './report-comparison.ts';

/** The `src` of an image of the output directory: a `data:` URI when embedded, else its relative path. */
export type ImageSource = (file: string, mediaType: string | undefined) => string;

/** The cards of the input pictures, first in the grid of outputs. */
export function renderInputCards(options: { results: CompareResults; source: ImageSource }): string[] {
  const { results, source } = options;
  return results.inputs.map((input, index) => {
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
}

/**
 * One model's card: its showcase output large and the other outputs as thumbnails (or the failure),
 * its status, provider, mode, retries and `badges`, its latency and costs, warnings and errors.
 */
export function renderModelCard(options: {
  results: CompareResults;
  row: CompareRow;
  /** The row's position, which its runs' `entry` refers to. */
  index: number;
  source: ImageSource;
  /** The row's badges (`fastest`, `cheapest`, ...), as HTML. */
  badges: string;
}): string {
  const { results, row, index, source } = options;
  const showcase = showcaseRun({ runs: results.runs, entry: index });
  const otherRuns = results.runs.filter(
    (run) => run.entry === index && run !== showcase && run.images.length > 0,
  );
  const input = results.inputs[0];
  const first = showcase?.images[0];
  const hero = !first
    ? `<div class="shot failed"><div>${FAILED_ICON}<span>No image</span></div></div>`
    : first.overlay && input?.file
      ? renderBeforeAfter({
          label: row.label,
          image: first,
          input: source(input.file, input.mediaType),
          source,
        })
      : `<figure class="shot"><img src="${source(first.file, first.mediaType)}" alt="${escapeHtml(`${row.label}, output 1`)}"${dimensions(first)}></figure>`;
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
  return `<article class="card model ${row.status}" id="model-${index}">
  ${hero}
  ${thumbStrip}
  <div class="body">
    <div class="title"><h3>${escapeHtml(row.label)}</h3><span class="pill ${row.status}">${escapeHtml(statusWord(row))}</span></div>
    <div class="chips"><span class="chip ${providerClass(row.provider)}">${escapeHtml(row.provider)}</span><span class="chip">${escapeHtml(row.mode)}</span>${row.retries > 0 ? `<span class="chip">${row.retries} ${row.retries === 1 ? 'retry' : 'retries'}</span>` : ''}${options.badges}</div>
    <dl class="metrics">
      <div class="metric"><dt>Latency</dt><dd>${latency}</dd></div>
      <div class="metric"><dt>Cost/edit</dt><dd>${escapeHtml(row.costPerEditUsd === undefined ? '–' : formatUsd(row.costPerEditUsd))}${costNote}</dd></div>
      <div class="metric"><dt>Cost/image</dt><dd>${escapeHtml(row.costPerImageUsd === undefined ? '–' : formatUsd(row.costPerImageUsd))}<small>${row.images} image${row.images === 1 ? '' : 's'}</small></dd></div>
    </dl>
    ${renderMeasureMetrics(row)}
    ${warnings}${errors}
  </div>
</article>`;
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

function baseName(source: string): string {
  if (/^https?:/i.test(source)) return source;
  return source.split(/[\\/]/).at(-1) ?? source;
}
