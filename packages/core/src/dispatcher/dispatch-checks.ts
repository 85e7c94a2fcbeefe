import { RetouchError } from '../errors/retouch-error.ts';
import type { DispatchOptions } from './retouch.ts';

/** Checks a call's `priority`: a finite number, 0 when absent. */
export function checkPriority(priority: number | undefined): number {
  if (priority === undefined) return 0;
  if (typeof priority !== 'number' || !Number.isFinite(priority)) {
    throw new RetouchError({ message: `priority must be a finite number, got ${String(priority)}` });
  }
  return priority;
}

/** A dispatch hook is a function or absent. */
export function checkHook(name: string, hook: unknown): void {
  if (hook !== undefined && typeof hook !== 'function') {
    throw new RetouchError({ message: `${name} must be a function, got ${typeof hook}` });
  }
}

/** The longest billing key accepted: keys are stored per edit, in Redis or a journal. */
const MAX_BILLING_KEY_LENGTH = 512;

/** Refuses a `billingKey` that is not a non-empty string of at most 512 characters. */
export function checkBillingKey(billingKey: unknown): void {
  if (billingKey === undefined) return;
  if (
    typeof billingKey !== 'string' ||
    billingKey.length === 0 ||
    billingKey.length > MAX_BILLING_KEY_LENGTH
  ) {
    throw new RetouchError({
      message: `billingKey must be a non-empty string of at most ${MAX_BILLING_KEY_LENGTH} characters (e.g. your own id for the edit), got ${typeof billingKey === 'string' ? `${billingKey.length} characters` : typeof billingKey}`,
    });
  }
}

/** Checks one `edit()` or `submit()`'s options, with the priority resolved (0 when absent). */
export function checkDispatchOptions(
  options: DispatchOptions | undefined,
): Omit<DispatchOptions, 'priority'> & { priority: number } {
  const { priority, beforeSend, onProviderJob, onProgress, billingKey } = options ?? {};
  checkHook('beforeSend', beforeSend);
  checkHook('onProviderJob', onProviderJob);
  checkHook('onProgress', onProgress);
  checkBillingKey(billingKey);
  return { ...options, priority: checkPriority(priority) };
}
