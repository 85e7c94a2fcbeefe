import type { CompareRow } from '../results.ts';
import { MEASURE_MEANINGS } from './output-measures.ts';

/** One measure as a column of the table and the report: its header, meaning, value and cell text. */
export interface MeasureColumn {
  /** The measure's key in {@link MEASURE_MEANINGS}. */
  key: keyof typeof MEASURE_MEANINGS;
  /** The column's title. */
  header: string;
  /** What the measure means, in one line. */
  meaning: string;
  /** Whether a higher value is better, for sorting best first. */
  higherIsBetter: boolean;
  /** The row's value, for sorting; `undefined` when the row has none. */
  value: (row: CompareRow) => number | undefined;
  /** The cell's text: `12.5%`, `0.981`, `1/2`, or `–`. */
  cell: (row: CompareRow) => string;
}

const percent = (value: number | undefined): string =>
  value === undefined ? '–' : `${(value * 100).toFixed(value < 0.1 && value > 0 ? 1 : 0)}%`;

const ALL_COLUMNS: readonly MeasureColumn[] = [
  {
    key: 'changed',
    header: 'changed',
    meaning: MEASURE_MEANINGS.changed,
    higherIsBetter: false,
    value: (row) => row.measures?.changedShare,
    cell: (row) => percent(row.measures?.changedShare),
  },
  {
    key: 'coverage',
    header: 'coverage',
    meaning: MEASURE_MEANINGS.coverage,
    higherIsBetter: true,
    value: (row) => row.measures?.maskCoverage,
    cell: (row) => percent(row.measures?.maskCoverage),
  },
  {
    key: 'leak',
    header: 'leak',
    meaning: MEASURE_MEANINGS.leak,
    higherIsBetter: false,
    value: (row) => row.measures?.maskLeak,
    cell: (row) => percent(row.measures?.maskLeak),
  },
  {
    key: 'similarity',
    header: 'similarity',
    meaning: MEASURE_MEANINGS.similarity,
    higherIsBetter: true,
    value: (row) => row.measures?.keptSimilarity,
    cell: (row) =>
      row.measures?.keptSimilarity === undefined ? '–' : row.measures.keptSimilarity.toFixed(3),
  },
  {
    key: 'size',
    header: 'size ok',
    meaning: MEASURE_MEANINGS.size,
    higherIsBetter: true,
    value: (row) => (row.measures ? row.measures.sizeMatches / row.measures.outputs : undefined),
    cell: (row) => (row.measures ? `${row.measures.sizeMatches}/${row.measures.outputs}` : '–'),
  },
  {
    key: 'judge',
    header: 'judge',
    meaning: MEASURE_MEANINGS.judge,
    higherIsBetter: true,
    value: (row) => row.judge?.score,
    cell: (row) => (row.judge ? `${row.judge.score}/10` : '–'),
  },
];

/**
 * The measure columns worth showing for these rows: none when no output was measured, coverage and
 * leak only when a mask was sent, and the judge's score when there was a judge.
 *
 * @example
 * for (const column of measureColumns(results.rows)) console.log(column.header, results.rows.map(column.cell));
 */
export function measureColumns(rows: readonly CompareRow[]): MeasureColumn[] {
  const measured = rows.some((row) => row.measures);
  const masked = rows.some((row) => row.measures?.maskCoverage !== undefined);
  const judged = rows.some((row) => row.judge);
  return ALL_COLUMNS.filter((column) => {
    if (column.key === 'judge') return judged;
    if (column.key === 'coverage' || column.key === 'leak') return masked;
    return measured;
  });
}
