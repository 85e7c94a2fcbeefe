import { type Styles, styles, visibleLength } from './ansi.ts';
import { formatDuration, formatUsd } from './format.ts';
import type { CompareRow } from './results.ts';

/** One column of a {@link renderTable} table. */
export interface TableColumn {
  /** The column's title. */
  header: string;
  /** @default 'left' */
  align?: 'left' | 'right';
  /** Longer cells are cut with `…`. */
  maxWidth?: number;
}

/**
 * Renders rows as aligned plain-text columns under a header and a dashed rule: readable in a
 * terminal and in a CI log alike. `style` may colour a cell; widths are measured without colour.
 *
 * @example
 * renderTable({ columns: [{ header: 'model' }, { header: 'cost', align: 'right' }], rows: [['oxen:qwen-image-edit', '$0.0300']] });
 */
export function renderTable(options: {
  columns: readonly TableColumn[];
  rows: readonly (readonly string[])[];
  style?: (cell: string, position: { row: number; column: number }) => string;
  headerStyle?: (text: string) => string;
}): string {
  const cells = options.rows.map((row) =>
    options.columns.map((column, index) => truncate(row[index] ?? '', column.maxWidth)),
  );
  const widths = options.columns.map((column, index) =>
    Math.max(visibleLength(column.header), ...cells.map((row) => visibleLength(row[index]!))),
  );
  const pad = (text: string, index: number, styled = text) => {
    const gap = ' '.repeat(widths[index]! - visibleLength(text));
    return options.columns[index]!.align === 'right' ? gap + styled : styled + gap;
  };
  const join = (parts: string[]) => parts.join('  ').trimEnd();
  const header = join(
    options.columns.map((column, index) =>
      pad(column.header, index, (options.headerStyle ?? String)(column.header)),
    ),
  );
  const rule = join(widths.map((width) => '-'.repeat(width)));
  const body = cells.map((row, rowIndex) =>
    join(
      row.map((cell, column) =>
        pad(cell, column, options.style ? options.style(cell, { row: rowIndex, column }) : cell),
      ),
    ),
  );
  return [header, rule, ...body].join('\n') + '\n';
}

function truncate(text: string, maxWidth: number | undefined): string {
  if (maxWidth === undefined || visibleLength(text) <= maxWidth) return text;
  return `${[...text].slice(0, maxWidth - 1).join('')}…`;
}

/** Latency as `1.21s` for one run, or `1.21s (1.10–1.32)` with the range over repeats. */
export function formatLatency(latency: CompareRow['latency'] | undefined): string {
  if (!latency) return '–';
  const median = formatDuration(latency.medianMs);
  if (latency.minMs === latency.maxMs) return median;
  return `${median} (${formatDuration(latency.minMs)}–${formatDuration(latency.maxMs)})`;
}

/** A cost cell: `$0.0300`, with `~` in front when estimated from prices, `–` when unknown. */
export function formatCost(usd: number | undefined, source: CompareRow['costSource']): string {
  if (usd === undefined) return '–';
  return `${source === 'estimated' ? '~' : ''}${formatUsd(usd)}`;
}

/** The status cell: `ok`, `2/3 ok` or `failed`. */
export function formatStatus(row: Pick<CompareRow, 'status' | 'succeeded' | 'runs'>): string {
  if (row.status === 'succeeded') return row.runs > 1 ? `ok ${row.succeeded}/${row.runs}` : 'ok';
  if (row.status === 'partial') return `${row.succeeded}/${row.runs} ok`;
  return 'failed';
}

/**
 * The comparison table: model, provider, mode, status, latency median (range over repeats), cost per
 * edit, cost per image and the number of distinct warnings. Estimated costs carry a `~`.
 *
 * @example
 * process.stdout.write(renderCompareTable({ rows: results.rows }));
 */
export function renderCompareTable(options: { rows: readonly CompareRow[]; color?: boolean }): string {
  const style: Styles = styles(options.color ?? false);
  const columns: TableColumn[] = [
    { header: 'model', maxWidth: 44 },
    { header: 'provider' },
    { header: 'mode' },
    { header: 'status' },
    { header: 'latency (range)', align: 'right' },
    { header: 'cost/edit', align: 'right' },
    { header: 'cost/image', align: 'right' },
    { header: 'warnings', align: 'right' },
  ];
  const rows = options.rows.map((row) => [
    row.label,
    row.provider,
    row.mode,
    formatStatus(row),
    formatLatency(row.latency),
    formatCost(row.costPerEditUsd, row.costSource),
    formatCost(row.costPerImageUsd, row.costSource),
    String(row.warnings.length),
  ]);
  return renderTable({
    columns,
    rows,
    headerStyle: style.bold,
    style: (cell, position) => {
      if (position.column !== 3) return cell;
      const status = options.rows[position.row]!.status;
      return status === 'succeeded'
        ? style.green(cell)
        : status === 'partial'
          ? style.yellow(cell)
          : style.red(cell);
    },
  });
}
