import { type ProviderErrorInfo, redact, secondsToMs } from '@retouch/core';

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
 * - 404 `{"details":"Not Found"}`; 413 (payload too large) and 502 (upstream provider error) in any of these shapes or as text.
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

  const errorCode = typeof record.error_code === 'string' ? record.error_code.toUpperCase() : '';
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
  }
  return info;
}

function readMessage(record: Record<string, unknown>): string | undefined {
  const detail = record.detail;
  if (Array.isArray(detail)) {
    const issues = detail.map(describeValidationIssue).filter((text) => text !== '');
    if (issues.length > 0) return issues.join('; ');
  }
  if (typeof detail === 'string' && detail.trim()) return detail;
  const error = record.error;
  if (typeof error === 'string' && error.trim()) return error;
  if (isRecord(error)) {
    const inner = [error.message, error.detail, error.title].find(
      (part): part is string => typeof part === 'string' && part.trim() !== '',
    );
    if (inner) return inner;
  }
  for (const key of ['details', 'message'] as const) {
    const value = record[key];
    if (typeof value === 'string' && value.trim()) return value;
  }
  return undefined;
}

function readCode(record: Record<string, unknown>): string | undefined {
  if (typeof record.error_code === 'string') return record.error_code;
  if (isRecord(record.error) && typeof record.error.type === 'string') return record.error.type;
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
