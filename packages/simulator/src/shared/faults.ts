/**
 * What a fault does. Whether the request counts as billable (see `RecordedRequest.billable`):
 * - not billable: `rate-limit`, `rate-limit-without-retry-after`, `status`, `reset-before-body`, `hang`,
 *   `insufficient-credits` (the request is refused before any work);
 * - billable when the submission itself is valid: `reset-after-body` (accepted, then the connection
 *   drops), `error-after-billing` (billed, then a 5xx), `malformed-json` (a malformed answer after
 *   billing), `schema-violation`, `job-never-finishes`, `job-fails`, `result-404` (the work was done and
 *   paid for; only the answer or the result is broken);
 * - `slow` delays any request by `delayMs` before it is handled (a slow price read), then answers it
 *   as usual;
 * - `sse-drop` applies to the event stream, which is never billable.
 */
export type FaultKind =
  | 'rate-limit'
  | 'rate-limit-without-retry-after'
  | 'status'
  | 'reset-before-body'
  | 'reset-after-body'
  | 'error-after-billing'
  | 'slow'
  | 'hang'
  | 'malformed-json'
  | 'schema-violation'
  | 'sse-drop'
  | 'job-never-finishes'
  | 'job-fails'
  | 'result-404'
  | 'insufficient-credits';

/**
 * A scripted or probabilistic fault.
 *
 * @example
 * sim.setFaults([
 *   { route: 'POST /api/ai/images/edit', kind: 'rate-limit', retryAfterSeconds: 2, times: 1 },
 *   { route: 'GET /api/ai/queue/:id', kind: 'status', status: 503, probability: 0.2 },
 * ]);
 */
export interface FaultRule {
  /**
   * The route: `'METHOD /pattern'` as the simulator names it (e.g. `'POST /api/ai/queue'`,
   * `'GET /api/ai/queue/:id'`, `'GET /api/events'`, `'GET /files/:id'`, `'POST /v3/images/edits'`),
   * a concrete `'METHOD /path'`, or `'*'` for every route.
   */
  route: string;
  /** What happens; see {@link FaultKind}. */
  kind: FaultKind;
  /** Applies to the first `times` matching requests (after `after`), then retires. */
  times?: number;
  /** Applies to each matching request with this probability (drawn from the seeded generator). */
  probability?: number;
  /** Lets this many matching requests through untouched before the rule starts applying. @default 0 */
  after?: number;
  /** For `status` and `error-after-billing`: 500, 502 or 503 (any 4xx/5xx works). @default 500 */
  status?: number;
  /** For `rate-limit`: the delay announced. @default 1 */
  retryAfterSeconds?: number;
  /**
   * For `rate-limit`: where the delay is announced. Oxen: `Retry-After` header by default; Eden AI:
   * `retry_after` in the body by default.
   */
  retryAfterIn?: 'header' | 'body' | 'both';
  /** For `slow`: how long the request waits before it is handled, in milliseconds. @default 1000 */
  delayMs?: number;
  /** For `job-fails`: the job's `error_message`. @default 'Insufficient credits' */
  message?: string;
  /** For `insufficient-credits` on Eden AI: which of its two documented 402 bodies. @default 'detailed' */
  shape?: 'simple' | 'detailed';
}

/** Options of `setFaults`. */
export interface SetFaultsOptions {
  /** Seed of the generator behind `probability`, so a probabilistic script repeats exactly. @default 1 */
  seed?: number;
}

interface ActiveRule {
  rule: FaultRule;
  seen: number;
  applied: number;
}

/** A small seeded generator (mulberry32): repeatable probabilistic faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Holds the fault script of one simulator and decides which fault, if any, hits a request. */
export class FaultInjector {
  #rules: ActiveRule[] = [];
  #random: () => number = seededRandom(1);

  /** Replaces the whole script. An empty list clears it. */
  setFaults(rules: FaultRule[], options: SetFaultsOptions = {}): void {
    this.#rules = rules.map((rule) => ({ rule: { ...rule }, seen: 0, applied: 0 }));
    this.#random = seededRandom(options.seed ?? 1);
  }

  /** The fault for this request, consuming one use of a `times` rule; rules are tried in order. */
  pick(options: {
    method: string;
    routeKey: string;
    path: string;
    kinds?: FaultKind[];
  }): FaultRule | undefined {
    const concrete = `${options.method} ${options.path}`;
    for (const active of this.#rules) {
      const { rule } = active;
      if (rule.route !== '*' && rule.route !== options.routeKey && rule.route !== concrete) continue;
      if (options.kinds !== undefined && !options.kinds.includes(rule.kind)) continue;
      active.seen += 1;
      if (active.seen <= (rule.after ?? 0)) continue;
      if (rule.times !== undefined && active.applied >= rule.times) continue;
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      active.applied += 1;
      return rule;
    }
    return undefined;
  }
}
