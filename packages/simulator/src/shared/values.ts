/** Whether `value` is a plain object (not null, not an array), as a JSON body must be. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Rounds an amount of USD to the micro-dollar, so repeated charges do not drift by float error. */
export function roundUsd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
