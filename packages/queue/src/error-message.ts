/** The message of anything thrown, for a message of our own that says what it interrupted. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
