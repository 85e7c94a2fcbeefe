import { redact, redactValue } from '../secrets.ts';

/**
 * Where Retouch writes what happens to edits that an operator may want to read later: retries, waits
 * at a lane's gate over a second, edits that may have been billed without a result, and fallbacks.
 * Each call gets the fields first and the message second, the order pino takes them in; `console`
 * fits too. API keys are redacted from both before the call.
 *
 * @example
 * import pino from 'pino';
 * const retouch = createRetouch({ providers: [oxen], logger: pino() });
 * // or: createRetouch({ providers: [oxen], logger: console });
 */
export interface RetouchLogger {
  /** Something worth knowing that needs no action: a long wait at the lane's gate. */
  info(fields: RetouchLogFields, message: string): void;
  /** Something that may need action: a retry, a fallback, an edit that may have been billed. */
  warn(fields: RetouchLogFields, message: string): void;
}

/**
 * The fields of one log line. `event` names what happened: `retouch.retry`, `retouch.lane_wait`,
 * `retouch.possibly_billed` or `retouch.fallback`; the others describe the edit it happened to.
 */
export interface RetouchLogFields {
  /** What happened. */
  event: 'retouch.retry' | 'retouch.lane_wait' | 'retouch.possibly_billed' | 'retouch.fallback';
  /** The client-side id of the job. */
  jobId: string;
  /** The `provider:model` the line is about. */
  model: string;
  /** The provider id of `model`. */
  provider: string;
  /** More about the event: an attempt number, a delay, a reason, a cost. */
  [field: string]: unknown;
}

/** Writes one line, with every key redacted; a logger that throws does not disturb the edit. */
export function writeLog(options: {
  logger: RetouchLogger;
  level: 'info' | 'warn';
  fields: RetouchLogFields;
  message: string;
}): void {
  try {
    options.logger[options.level](redactValue(options.fields) as RetouchLogFields, redact(options.message));
  } catch {
    // A broken log sink is the operator's to notice, not a reason to fail an edit.
  }
}
