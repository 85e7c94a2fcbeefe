/** An error body is only read for its message: a proxy's 200 KB HTML page must not hide the status. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Reads at most {@link MAX_ERROR_BODY_BYTES} of an error body, never failing on size: the status is
 * what matters. A body cut short by the network still yields the status error; an abort does not.
 */
export async function readErrorText(
  response: Response,
  context: { signal?: AbortSignal | undefined },
): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  try {
    while (total < MAX_ERROR_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
    // Not awaited: the body handed to ky's hooks is one branch of a tee, whose cancel settles only
    // once ky lets go of the other branch.
    if (total >= MAX_ERROR_BODY_BYTES) reader.cancel().catch(() => undefined);
  } catch (error) {
    if (context.signal?.aborted) throw context.signal.reason;
    void error;
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes.subarray(0, MAX_ERROR_BODY_BYTES));
}
