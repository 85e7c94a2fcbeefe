import { errorLine } from './describe-error.ts';
import type { CompareResults } from './results.ts';

function roundUsd(usd: number): number {
  return Math.round(usd * 1e7) / 1e7;
}

/** The columns of `results.csv`, one line per run. */
export const CSV_COLUMNS = [
  'label',
  'model',
  'provider',
  'mode',
  'repeat',
  'status',
  'latency_ms',
  'queued_ms',
  'running_ms',
  'cost_usd',
  'cost_source',
  'images',
  'cost_per_image_usd',
  'retries',
  'warnings',
  'error',
  'files',
] as const;

/**
 * `results.csv`: one line per run (RFC 4180: comma-separated, CRLF line ends, fields quoted when they
 * hold a comma, quote or line break). Text that a spreadsheet would run as a formula is prefixed with
 * `'`, so a provider's error message cannot become one.
 *
 * @example
 * await writeFile('results.csv', resultsToCsv(results));
 */
export function resultsToCsv(results: CompareResults): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const run of results.runs) {
    const row = results.rows[run.entry];
    const perImage =
      run.costUsd !== undefined && run.images.length > 0
        ? roundUsd(run.costUsd / run.images.length)
        : undefined;
    const values: Record<(typeof CSV_COLUMNS)[number], string | number | undefined> = {
      label: run.label,
      model: run.model,
      provider: row?.provider,
      mode: row?.mode,
      repeat: run.repeat,
      status: run.status,
      latency_ms: run.latencyMs,
      queued_ms: run.queuedMs,
      running_ms: run.runningMs,
      cost_usd: run.costUsd,
      cost_source: run.costSource,
      images: run.images.length,
      cost_per_image_usd: perImage,
      retries: run.retries,
      warnings: run.warnings.join(' | '),
      error: run.error ? errorLine(run.error) : undefined,
      files: run.images.map((image) => image.file).join(' '),
    };
    lines.push(CSV_COLUMNS.map((column) => csvField(values[column])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** One CSV field, quoted and escaped when needed. */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  if (/[",\r\n]/.test(text) || text !== text.trim()) return `"${text.replaceAll('"', '""')}"`;
  return text;
}
