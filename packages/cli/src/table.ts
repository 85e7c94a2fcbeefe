import { type CompareRow, formatCost, formatLatency, formatStatus, measureColumns } from '@retouch/compare';
import { type Styles, styles, visibleLength } from './ansi.ts';

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

/**
 * The comparison table: model, provider, mode, status, latency median (range over repeats), cost per
 * edit, cost per image and the number of distinct warnings, then the measures of what the outputs
 * changed (with a key of their meanings) when they were measured. Estimated costs carry a `~`.
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
  const measures = measureColumns(options.rows);
  for (const column of measures) columns.push({ header: column.header, align: 'right' });
  const rows = options.rows.map((row) => [
    row.label,
    row.provider,
    row.mode,
    formatStatus(row),
    formatLatency(row.latency),
    formatCost({ usd: row.costPerEditUsd, source: row.costSource }),
    formatCost({ usd: row.costPerImageUsd, source: row.costSource }),
    String(row.warnings.length),
    ...measures.map((column) => column.cell(row)),
  ]);
  const table = renderTable({
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
  // Each measure's meaning under the table, so the numbers read without the docs.
  const key = measures.map((column) => `  ${column.header.padEnd(10)} ${column.meaning}\n`).join('');
  return measures.length === 0 ? table : `${table}\n${style.dim(key.trimEnd())}\n`;
}
