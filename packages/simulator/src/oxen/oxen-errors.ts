import type { RouteResult } from '../shared/route.ts';

/** Oxen's main error body: `{"error":{"type","title","detail"},"status":"error","status_message":type}`. */
export function oxenError(options: {
  status: number;
  type: string;
  title: string;
  detail: string;
}): RouteResult {
  return {
    status: options.status,
    json: {
      error: { type: options.type, title: options.title, detail: options.detail },
      status: 'error',
      status_message: options.type,
    },
  };
}

/** Oxen's second error body: `{"error":{"message":"..."}}` (e.g. `Model not found: <name>`). */
export function oxenMessageError(options: { status: number; message: string }): RouteResult {
  return { status: options.status, json: { error: { message: options.message } } };
}

/** A 400 `invalid_params` answer. */
export function oxenInvalidParams(detail: string): RouteResult {
  return oxenError({ status: 400, type: 'invalid_params', title: 'Invalid parameters', detail });
}

/** A 404 `resource_not_found` answer. */
export function oxenNotFound(detail: string): RouteResult {
  return oxenError({ status: 404, type: 'resource_not_found', title: 'Resource not found', detail });
}
