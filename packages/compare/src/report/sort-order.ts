import { measureColumns } from '../measures/measure-columns.ts';
import type { CompareRow } from '../results.ts';
import { escapeHtml } from './html.ts';

/** A measure the report's rows and cards can be sorted by. */
export interface SortKey {
  /** The key in element ids and classes: `cost`, `latency`, `leak`... */
  key: string;
  /** The button's text. */
  label: string;
  /** The row's value; rows without one go last. */
  value: (row: CompareRow) => number | undefined;
  /** Whether a higher value sorts first. */
  higherIsBetter: boolean;
}

/** The keys of a report: cost and latency, then each measure the rows have. */
export function sortKeys(rows: readonly CompareRow[]): SortKey[] {
  return [
    { key: 'cost', label: 'cost per image', value: (row) => row.costPerImageUsd, higherIsBetter: false },
    { key: 'latency', label: 'latency', value: (row) => row.latency?.medianMs, higherIsBetter: false },
    ...measureColumns(rows).map((column) => ({
      key: column.key,
      label: column.header,
      value: column.value,
      higherIsBetter: column.higherIsBetter,
    })),
  ];
}

/** The rows' positions in the order of a key, best first, rows without a value last in given order. */
export function rankRows(options: { rows: readonly CompareRow[]; key: SortKey }): number[] {
  const { rows, key } = options;
  return rows
    .map((row, index) => ({ index, value: key.value(row) }))
    .sort((left, right) => {
      if (left.value === undefined || right.value === undefined) {
        return (
          (left.value === undefined ? 1 : 0) - (right.value === undefined ? 1 : 0) || left.index - right.index
        );
      }
      return (
        (key.higherIsBetter ? right.value - left.value : left.value - right.value) || left.index - right.index
      );
    })
    .map((entry) => entry.index);
}

/**
 * The sort buttons: radio inputs the style sheet reads with `:has()`, so sorting needs no script and
 * the report keeps its no-script policy.
 */
export function renderSortControls(keys: readonly SortKey[]): string {
  const option = (key: string, label: string, checked: boolean) =>
    `<input type="radio" name="sort" id="sort-${key}" value="${key}"${checked ? ' checked' : ''}><label for="sort-${key}">${escapeHtml(label)}</label>`;
  return `<div class="sort" role="radiogroup" aria-label="Sort models by">Sort by ${option('given', 'as given', true)}${keys
    .map((key) => option(key.key, key.label, false))
    .join('')}</div>`;
}

/** The style rules that put the cards (by `order`) and the table's bodies in each key's order. */
export function sortStyles(options: { rows: readonly CompareRow[]; keys: readonly SortKey[] }): string {
  const rules: string[] = ['tbody.sorted:not(.by-given) { display: none; }'];
  for (const key of options.keys) {
    const selector = `body:has(#sort-${key.key}:checked)`;
    rules.push(
      `${selector} tbody.sorted.by-given { display: none; } ${selector} tbody.sorted.by-${key.key} { display: table-row-group; }`,
    );
    for (const [rank, index] of rankRows({ rows: options.rows, key }).entries()) {
      rules.push(`${selector} #model-${index} { order: ${rank + 1}; }`);
    }
  }
  return rules.join('\n');
}
