import type { FailedAttempt } from '../edit-result.ts';
import { ApiCallError } from '../errors/api-call-error.ts';
import { BudgetExceededError } from '../errors/budget-exceeded-error.ts';
import { InsufficientCreditsError } from '../errors/insufficient-credits-error.ts';
import { InvalidRequestError } from '../errors/invalid-request-error.ts';
import { JobCancelledError } from '../errors/job-cancelled-error.ts';
import { RetouchError } from '../errors/retouch-error.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import { UnsupportedFeatureError } from '../errors/unsupported-feature-error.ts';

/** Whether a failure provably cost nothing: the provider refused the request before doing the work. */
export function provablyFree(error: unknown): boolean {
  if (
    InvalidRequestError.isInstance(error) ||
    UnsupportedFeatureError.isInstance(error) ||
    BudgetExceededError.isInstance(error) ||
    InsufficientCreditsError.isInstance(error)
  ) {
    return true;
  }
  if (!ApiCallError.isInstance(error)) return false;
  if (error.provablyNotProcessed) return true;
  const status = error.statusCode;
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 409;
}

/**
 * Whether another model may succeed where this one failed. Never after an invalid request, a refused
 * budget or a cancellation on the primary; a fallback model that cannot take the request is skipped.
 */
export function canFallBack(error: unknown, options: { primary: boolean }): boolean {
  if (!RetouchError.isInstance(error)) return false;
  if (JobCancelledError.isInstance(error)) return false;
  if (InvalidRequestError.isInstance(error) || BudgetExceededError.isInstance(error)) return !options.primary;
  if (TimeoutError.isInstance(error)) return error.stage === 'request';
  if (ApiCallError.isInstance(error) && [400, 413, 422].includes(error.statusCode ?? 0)) return false;
  return true;
}

/** One failed model, as the result's `attempts` lists it. */
export function failedAttempt(options: { model: string; error: unknown }): FailedAttempt {
  const { model, error } = options;
  return {
    model,
    errorName: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? error.message : String(error),
  };
}

export function describeAttempts(attempts: readonly FailedAttempt[]): string {
  return `earlier attempts failed: ${attempts.map((attempt) => `${attempt.model} (${attempt.errorName})`).join(', ')}`;
}

/**
 * The same error with a note appended to its message. A copy, not a mutation: the adapter may hold on
 * to the error it threw. The copy keeps the class, the fields and the `isInstance` markers.
 */
export function withNote<E>(error: E, options: { note: string }): E {
  if (!(error instanceof Error)) return error;
  const message = `${error.message} (${options.note})`;
  const stack = typeof error.stack === 'string' ? error.stack.replace(error.message, message) : undefined;
  const copy = Object.create(Object.getPrototypeOf(error), Object.getOwnPropertyDescriptors(error)) as Error;
  Object.defineProperty(copy, 'message', { value: message, writable: true, configurable: true });
  if (stack !== undefined)
    Object.defineProperty(copy, 'stack', { value: stack, writable: true, configurable: true });
  return copy as E;
}
