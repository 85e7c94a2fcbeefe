import { RetouchError } from '../errors/retouch-error.ts';

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
