/**
 * Base64 with the web platform's own functions, so core runs where Node's `Buffer` does not (Deno,
 * Cloudflare Workers, browsers).
 */

const CHUNK = 0x8000;

/** Encodes bytes as base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  // String.fromCharCode takes its arguments on the stack: a chunk at a time keeps large images safe.
  for (let offset = 0; offset < bytes.length; offset += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + CHUNK));
  }
  return btoa(binary);
}

/**
 * Decodes base64 (standard or URL-safe alphabet, padding optional, whitespace ignored). Characters
 * outside the alphabet make it throw a `SyntaxError`.
 */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(isPaddedStandard(text) ? text : normalizeBase64(text));
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

const PADDED_STANDARD = /^[A-Za-z0-9+/]*={0,2}$/;

/** Standard, padded base64, as providers send it: `atob` reads it as it is, with nothing to clean. */
function isPaddedStandard(text: string): boolean {
  return text.length % 4 === 0 && PADDED_STANDARD.test(text);
}

/** The URL-safe alphabet, whitespace and missing padding made into what `atob` reads, or a `SyntaxError`. */
function normalizeBase64(text: string): string {
  let clean = text.replace(/\s/g, '').replace(/-/g, '+').replace(/_/g, '/');
  clean = clean.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(clean) || clean.length % 4 === 1) {
    throw new SyntaxError('not valid base64');
  }
  return clean + '='.repeat((4 - (clean.length % 4)) % 4);
}
