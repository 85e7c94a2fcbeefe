import type { RouteResult } from './route.ts';

/** How one provider words its generic answers. */
export interface ProviderProfile {
  unauthorized(): RouteResult;
  notFound(path: string): RouteResult;
  rateLimited(options: {
    retryAfterSeconds: number | undefined;
    retryAfterIn: 'header' | 'body' | 'both';
  }): RouteResult;
  /** The default place of the retry delay in a `rate-limit` fault. */
  retryAfterIn: 'header' | 'body';
  serverError(status: number): RouteResult;
  tooLarge(message: string): RouteResult;
  insufficientCredits(shape: 'simple' | 'detailed'): RouteResult;
  /** A multipart body that cannot be parsed. */
  malformedBody(message: string): RouteResult;
  /** Rewrites a valid JSON body so that it no longer matches the documented schema. */
  violateSchema?(json: unknown, routeKey: string): unknown;
}

/** A generic schema violation: arrays become strings and strings become numbers, one level deep. */
export function defaultSchemaViolation(json: unknown): unknown {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { unexpected: json };
  const result: Record<string, unknown> = {};
  let changed = false;
  for (const [key, value] of Object.entries(json)) {
    if (Array.isArray(value)) {
      result[key] = 'not-an-array';
      changed = true;
    } else {
      result[key] = value;
    }
  }
  if (!changed) {
    for (const [key, value] of Object.entries(result)) {
      if (typeof value === 'string') result[key] = 404;
    }
  }
  return result;
}
