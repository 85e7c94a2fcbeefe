/**
 * Waits until `condition` holds, checking every `everyMs`, and throws once `timeoutMs` has passed
 * without it: for tests and benchmarks that wait on another process or server.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  everyMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`the condition did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
