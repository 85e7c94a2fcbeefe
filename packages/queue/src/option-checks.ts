import { RetouchError } from '@retouch/core';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Checks that a factory was given an options object; `where` names the factory and `shape` shows what
 * the object holds, e.g. `{ connection, name? }`.
 */
export function checkOptionsObject(value: unknown, options: { where: string; shape: string }): void {
  if (typeof value !== 'object' || value === null) {
    throw new RetouchError({ message: `${options.where} pass an options object ${options.shape}` });
  }
}

/** Checks a key name part: letters, digits, `.`, `_` and `-`. */
export function checkName(value: unknown, where: string): string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new RetouchError({
      message: `${where} must be 1 to 100 letters, digits, ".", "_" or "-" (it becomes part of Redis keys), got ${JSON.stringify(value)}`,
    });
  }
  return value;
}

/** Checks a duration in milliseconds. */
export function checkMs(value: unknown, where: string, minimum: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > 2_147_483_647) {
    throw new RetouchError({
      message: `${where} must be a whole number of milliseconds ≥ ${minimum}, got ${String(value)}`,
    });
  }
  return value;
}
