import type { CompareRow } from './results.ts';

/**
 * Formats an amount in US dollars with four decimals, as prices are published, so cheap models can be
 * told apart and a sum never looks rounded past its parts: `$0.0400`, `$1.0530`, and below a cent two
 * significant digits, `$0.00083`.
 *
 * @example
 * formatUsd(0.04); // '$0.0400'
 */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (Math.abs(usd) >= 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toPrecision(2)}`;
}

/**
 * Formats a duration for people: `850ms`, `1.24s`, `12.3s`, `2m05s`.
 *
 * @example
 * formatDuration(1240); // '1.24s'
 */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.round(milliseconds)}ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 10) return `${seconds.toFixed(2)}s`;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.round(seconds - minutes * 60)).padStart(2, '0')}s`;
}

/** Formats a byte count: `38 KB`, `1.4 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Turns a label such as `oxen:gpt-image-2 (sse)` into a file-name-safe slug. */
export function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'model' : slug.slice(0, 80);
}

/**
 * Cuts text to `length` characters, ending with `…` when it was longer.
 *
 * @example
 * truncate({ text: 'Turn the sunset into a starry night', length: 12 }); // 'Turn the su…'
 */
export function truncate(options: { text: string; length: number }): string {
  const { text, length } = options;
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/**
 * Latency as `1.21s` for one run, or `1.21s (1.10–1.32)` with the range over repeats.
 *
 * @example
 * formatLatency({ medianMs: 1210, minMs: 1100, maxMs: 1320, p25Ms: 1150, p75Ms: 1260 }); // '1.21s (1.10s–1.32s)'
 */
export function formatLatency(latency: CompareRow['latency'] | undefined): string {
  if (!latency) return '–';
  const median = formatDuration(latency.medianMs);
  if (latency.minMs === latency.maxMs) return median;
  return `${median} (${formatDuration(latency.minMs)}–${formatDuration(latency.maxMs)})`;
}

/**
 * A cost cell: `$0.0300`, with `~` in front when estimated from prices, `–` when unknown.
 *
 * @example
 * formatCost({ usd: 0.03, source: 'estimated' }); // '~$0.0300'
 */
export function formatCost(options: { usd: number | undefined; source: CompareRow['costSource'] }): string {
  if (options.usd === undefined) return '–';
  return `${options.source === 'estimated' ? '~' : ''}${formatUsd(options.usd)}`;
}

/**
 * The status cell: `ok`, `ok 3/3`, `2/3 ok` or `failed`.
 *
 * @example
 * formatStatus({ status: 'partial', succeeded: 2, runs: 3 }); // '2/3 ok'
 */
export function formatStatus(row: Pick<CompareRow, 'status' | 'succeeded' | 'runs'>): string {
  if (row.status === 'succeeded') return row.runs > 1 ? `ok ${row.succeeded}/${row.runs}` : 'ok';
  if (row.status === 'partial') return `${row.succeeded}/${row.runs} ok`;
  return 'failed';
}
