/**
 * Process-wide registry of secret strings (API keys) that must never appear in an error message, a
 * `cause`, a log line or a serialized result. Providers register their key when they are created, so
 * every error built anywhere in Retouch is scrubbed, even one whose text came from a provider's body.
 */
const secrets = new Set<string>();
/** The registered secrets, longest first, so a key containing another is removed whole. */
let ordered: string[] = [];
const REDACTED = '[REDACTED]';
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g;

/**
 * Registers a secret so that {@link redact} removes it from any text. Values shorter than six
 * characters are ignored: redacting them would mangle ordinary words.
 *
 * @example
 * registerSecret(process.env.OXEN_API_KEY);
 */
export function registerSecret(secret: string | undefined): void {
  if (!secret || secret.length < 6 || secrets.has(secret)) return;
  secrets.add(secret);
  ordered = [...secrets].sort((a, b) => b.length - a.length);
}

/**
 * Returns the text with every registered secret, and any `Bearer <token>` credential, replaced by
 * `[REDACTED]`.
 */
export function redact(text: string): string {
  let result = text;
  for (const secret of ordered) {
    if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  // Every result's raw answer passes through here: skip the regex where it cannot match.
  return result.includes('Bearer') ? result.replace(BEARER, `$1${REDACTED}`) : result;
}

/** {@link redact} for an optional value. */
export function redactOptional(text: string | undefined): string | undefined {
  return text === undefined ? undefined : redact(text);
}

const MAX_DEPTH = 8;
const CREDENTIAL_KEY = /^(authorization|x-api-key|api[-_]?key|token|secret)$/i;

/**
 * Deeply redacts every string in a JSON-like value; long base64 payloads are elided too. Anything
 * nested deeper than eight levels is replaced rather than copied unchecked.
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return elideLongString(redact(value));
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const output: Record<string, unknown> = {};
  // Every result's raw answer passes through here: no entry arrays for it.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    output[key] = CREDENTIAL_KEY.test(key)
      ? REDACTED
      : redactValue((value as Record<string, unknown>)[key], depth + 1);
  }
  return output;
}

const LONG_STRING = 2_048;

function elideLongString(text: string): string {
  if (text.length <= LONG_STRING) return text;
  return `${text.slice(0, 64)}…[${text.length - 64} more characters elided]`;
}
