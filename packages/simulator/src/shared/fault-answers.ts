import type { Socket } from 'node:net';
import type { FaultKind, FaultRule } from './faults.ts';
import { defaultSchemaViolation, type ProviderProfile } from './provider-profile.ts';
import type { RouteResult } from './route.ts';

/** Faults the server applies itself before the handler runs. */
const preHandlerFaults: FaultKind[] = [
  'reset-before-body',
  'hang',
  'rate-limit',
  'rate-limit-without-retry-after',
  'status',
  'insufficient-credits',
];

/** Ends a connection the way a fault asks for it. */
export function resetSocket(socket: Socket): void {
  // A TCP reset, not a clean close: what a crashed upstream or a dropped load balancer connection does.
  if (typeof socket.resetAndDestroy === 'function' && !socket.destroyed) socket.resetAndDestroy();
  else socket.destroy();
}

/**
 * The refusal a fault answers in place of the handler (a rate limit, an error status, a lack of credits),
 * in the provider's words; `undefined` when the fault lets the handler run.
 */
export function faultRefusal(options: {
  fault: FaultRule | undefined;
  profile: ProviderProfile;
}): RouteResult | undefined {
  const { fault, profile } = options;
  if (fault === undefined || !preHandlerFaults.includes(fault.kind)) return undefined;
  if (fault.kind === 'rate-limit') {
    return profile.rateLimited({
      retryAfterSeconds: fault.retryAfterSeconds ?? 1,
      retryAfterIn: fault.retryAfterIn ?? profile.retryAfterIn,
    });
  }
  if (fault.kind === 'rate-limit-without-retry-after') {
    return profile.rateLimited({ retryAfterSeconds: undefined, retryAfterIn: 'both' });
  }
  if (fault.kind === 'insufficient-credits') return profile.insufficientCredits(fault.shape ?? 'detailed');
  return profile.serverError(fault.status ?? 500);
}

/**
 * A successful JSON answer as a fault breaks it: cut in half (`malformed-json`) or off its schema
 * (`schema-violation`). Any other answer passes unchanged.
 */
export function faultyAnswer(options: {
  fault: FaultRule | undefined;
  result: RouteResult & { status: number };
  routeKey: string;
  profile: ProviderProfile;
}): RouteResult {
  const { fault, result } = options;
  const succeeded = result.status >= 200 && result.status < 300;
  if (!succeeded || !('json' in result)) return result;
  if (fault?.kind === 'malformed-json') {
    const text = JSON.stringify(result.json);
    const truncated = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    return { status: result.status, raw: truncated, contentType: 'application/json' };
  }
  if (fault?.kind === 'schema-violation') {
    const violate = options.profile.violateSchema ?? defaultSchemaViolation;
    return { ...result, json: violate(result.json, options.routeKey) };
  }
  return result;
}
