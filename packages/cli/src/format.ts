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

/** A sortable local timestamp for default output names: `20260521-143005`. */
export function timestamp(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
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
