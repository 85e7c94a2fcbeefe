import { formatUsd } from '../format.ts';
import { measureColumns } from '../measures/measure-columns.ts';
import { MEASURE_MEANINGS } from '../measures/output-measures.ts';
import type { CompareRow, SavedImage } from '../results.ts';
import { escapeHtml } from './html.ts';

/** The `src` of an image of the output directory: a `data:` URI when embedded, else its relative path. */
type ImageSource = (file: string, mediaType: string | undefined) => string;

/**
 * A measured output as a card shows it: the output with the input over its left part, split by a
 * handle the reader drags (a CSS `resize`, so it needs no script), and the diff overlay below,
 * changed pixels tinted and the mask outlined.
 */
export function renderBeforeAfter(options: {
  label: string;
  image: SavedImage;
  /** The input's `src`. */
  input: string;
  source: ImageSource;
}): string {
  const { label, image, source } = options;
  return `<figure class="shot before-after" title="Drag the handle to compare before and after">
  <img class="after" src="${source(image.file, image.mediaType)}" alt="${escapeHtml(`${label}, output 1`)}">
  <div class="before"><img src="${options.input}" alt="${escapeHtml(`${label}, input (before)`)}"></div>
  <span class="tag tag-before">before</span><span class="tag tag-after">after</span>
</figure>
<figure class="shot diff"><img src="${source(image.overlay!, 'image/png')}" alt="${escapeHtml(`${label}, diff: changed pixels tinted, mask outlined`)}"><figcaption>diff${image.measures ? ` · ${escapeHtml(`${(image.measures.changedShare * 100).toFixed(1)}% changed`)}` : ''}</figcaption></figure>`;
}

/** The row's measures as a card's second line of metrics, each with its meaning as a tooltip. */
export function renderMeasureMetrics(row: CompareRow): string {
  if (!row.measures && !row.judge) return '';
  const columns = measureColumns([row]).filter((column) => column.key !== 'size');
  return `<dl class="metrics measures">${columns
    .map(
      (column) =>
        `<div class="metric" title="${escapeHtml(column.meaning)}"><dt>${escapeHtml(column.header)}</dt><dd>${escapeHtml(column.cell(row))}</dd></div>`,
    )
    .join('')}</dl>${renderVerdicts(row)}`;
}

/** The judge's sentence for the row's first judged output, and what judging cost. */
function renderVerdicts(row: CompareRow): string {
  return row.judge
    ? `<p class="verdict" title="${escapeHtml(MEASURE_MEANINGS.judge)}">Judge ${escapeHtml(`${row.judge.score}/10`)}: ${escapeHtml(row.judge.reason)}${
        row.judge.costUsd === undefined
          ? ''
          : ` <small>(${escapeHtml(formatUsd(row.judge.costUsd))}, apart from the edits)</small>`
      }</p>`
    : '';
}
