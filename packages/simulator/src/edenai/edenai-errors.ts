import type { ParsedBody } from '../shared/request-body.ts';
import type { RouteResult } from '../shared/route.ts';

/** One entry of a 422 `detail` list, shaped like FastAPI/pydantic's. */
export interface EdenAIValidationDetail {
  type: string;
  loc: (string | number)[];
  msg: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

/** A 422 answer with a `detail` list. */
export function edenAIValidationError(detail: EdenAIValidationDetail[]): RouteResult {
  return { status: 422, json: { detail } };
}

/** A 400 or 403 answer: `{"error":{"type","message"}}`. */
export function edenAIError(options: {
  status: number;
  type: 'validation_error' | 'permission_error' | 'not_found_error' | 'provider_error';
  message: string;
}): RouteResult {
  return { status: options.status, json: { error: { type: options.type, message: options.message } } };
}

/** The two documented 402 bodies. */
export function edenAIInsufficientCredits(options: {
  shape: 'simple' | 'detailed';
  required?: number;
  available?: number;
}): RouteResult {
  if (options.shape === 'simple') return { status: 402, json: { error: 'Insufficient credits' } };
  return {
    status: 402,
    json: {
      detail: 'User does not have sufficient credits',
      error_code: 'INSUFFICIENT_CREDIT',
      required_credits: options.required ?? 500,
      available_credits: options.available ?? 200,
    },
  };
}

/** The 422 `json_invalid` answer for a body that is not valid JSON, or `undefined` for any other body. */
export function edenAIJsonDecodeError(body: ParsedBody): RouteResult | undefined {
  if (body.type !== 'invalid-json') return undefined;
  return edenAIValidationError([
    {
      type: 'json_invalid',
      loc: ['body', body.position],
      msg: 'JSON decode error',
      input: {},
      ctx: { error: body.message },
    },
  ]);
}
