/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Escapes a relative file path for an `src`/`href` attribute, keeping `/` separators. */
export function escapeRelativeUrl(path: string): string {
  return escapeHtml(path.split('/').map(encodeURIComponent).join('/'));
}
