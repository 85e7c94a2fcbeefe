import { type ProviderErrorInfo, redact, secondsToMs } from '@retouch/core/provider-utils';

/**
 * Reads every error body shape Eden AI v3 is documented to send, so the HTTP layer can raise the
 * right typed error with the provider's own words:
 *
 * - 422 `{"detail":[{"loc":["body","images",0],"msg":"...","type":"..."}]}` → each issue with its field path;
 * - 402 `{"error":"Insufficient credits"}` or `{"detail":"...","error_code":"INSUFFICIENT_CREDIT",
 *   "required_credits":500,"available_credits":200}` → insufficient credits, with both numbers;
 * - 429 `{"detail":"Rate limit exceeded","error_code":"RATE_LIMITED","retry_after":1.5}` → the delay in ms;
 * - 401 `{"detail":"...","error_code":"UNAUTHORIZED"}`;
 * - 400/403 `{"error":{"type":"validation_error"|"permission_error","message":"..."}}`;
 * - 404 `{"details":"Not Found"}`; 413 (payload too large) and 502 (upstream provider error) in any of these shapes or as text;
 * - nested shapes: `{"detail":{"error":"...","message":"..."}}` and `{"error":{"type":"...","message":{...}}}`,
 *   whose message is itself an object (an upstream provider's error passed through);
 * - 451 (the EU host refusing a model served outside the EU) → the message says which host to use.
 *
 * @example
 * parseEdenAIErrorBody(429, { detail: 'Rate limit exceeded', error_code: 'RATE_LIMITED', retry_after: 1.5 });
 * // { message: 'Rate limit exceeded', code: 'RATE_LIMITED', kind: 'rate-limit', retryAfterMs: 1500 }
 */
export function parseEdenAIErrorBody(status: number, body: unknown): ProviderErrorInfo {
  const record = isRecord(body) ? body : {};
  const message = readMessage(record);
  const code = readCode(record);
  const info: ProviderErrorInfo = {
    ...(message ? { message } : {}),
    ...(code ? { code } : {}),
  };

  const errorCode = (code ?? '').toUpperCase();
  if (status === 402 || errorCode.startsWith('INSUFFICIENT_CREDIT')) {
    info.kind = 'insufficient-credits';
    const required = readNumber(record.required_credits);
    const available = readNumber(record.available_credits);
    if (required !== undefined) info.requiredCredits = required;
    if (available !== undefined) info.availableCredits = available;
  } else if (status === 429 || errorCode === 'RATE_LIMITED') {
    info.kind = 'rate-limit';
    const retryAfterMs = secondsToMs(record.retry_after);
    if (retryAfterMs !== undefined) info.retryAfterMs = retryAfterMs;
  } else if (status === 401 || errorCode === 'UNAUTHORIZED') {
    info.kind = 'authentication';
  }

  // For these two the message is rebuilt, so a text body (a proxy's page) is kept as an excerpt.
  const said = info.message ?? textExcerpt(body);
  if (status === 413) {
    info.message = `${said ? `${said}; ` : ''}the request body is too large: send large local images with transport "multipart" or upload them first (upload: "always")`;
  } else if (status === 502) {
    info.message = `the upstream provider failed${said ? `: ${said}` : ''}`;
  } else if (status === 451) {
    info.message = `${said ? `${said.replace(/[.\s]+$/, '')}; ` : ''}the model is not available from this Eden AI host for data-residency reasons (HTTP 451): pick a model that GET /v3/images/models lists on this host, or use the global host https://api.edenai.run`;
  }
  return info;
}

function readMessage(record: Record<string, unknown>): string | undefined {
  const detail = record.detail;
  if (Array.isArray(detail)) {
    const issues = detail.map(describeValidationIssue).filter((text) => text !== '');
    if (issues.length > 0) return issues.join('; ');
  }
  return textOf(detail) ?? textOf(record.error) ?? textOf(record.details) ?? textOf(record.message);
}

/** Keys that hold an error's words, most telling first. */
const MESSAGE_KEYS = ['message', 'detail', 'error', 'msg', 'title', 'description'] as const;

/**
 * The words in a message field that may be a string or an object holding one (an upstream
 * provider's error body passed through: `{"message":{"error":{"message":"..."}}}`).
 */
function textOf(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') return value.trim() ? value : undefined;
  if (depth > 4 || !isRecord(value)) return undefined;
  for (const key of MESSAGE_KEYS) {
    const text = textOf(value[key], depth + 1);
    if (text) return text;
  }
  return undefined;
}

function readCode(record: Record<string, unknown>): string | undefined {
  if (typeof record.error_code === 'string') return record.error_code;
  if (isRecord(record.detail) && typeof record.detail.error_code === 'string')
    return record.detail.error_code;
  if (isRecord(record.error) && typeof record.error.code === 'string') return record.error.code;
  if (isRecord(record.error) && typeof record.error.type === 'string') return record.error.type;
  if (isRecord(record.detail) && typeof record.detail.error === 'string' && textOf(record.detail.message))
    return record.detail.error;
  if (Array.isArray(record.detail) && record.detail.length > 0) return 'validation_error';
  return undefined;
}

/** `{"loc":["body","images",0],"msg":"Field required"}` → `body.images.0: Field required`. */
function describeValidationIssue(item: unknown): string {
  if (!isRecord(item)) return typeof item === 'string' ? item : '';
  const location = Array.isArray(item.loc) ? item.loc.map(String).join('.') : '';
  const text = typeof item.msg === 'string' ? item.msg : typeof item.message === 'string' ? item.message : '';
  if (!location) return text;
  return text ? `${location}: ${text}` : location;
}

function textExcerpt(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  const text = redact(body).replace(/\s+/g, ' ').trim();
  if (!text) return undefined;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
