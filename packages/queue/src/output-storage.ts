import { type EditResult, RetouchError } from '@retouch/core';
import { describeError } from './error-message.ts';
import { type OutputSink, outputFileName } from './output-sink.ts';
import type { QueuedEditImage } from './queued-edit-result.ts';

/**
 * Hands each output image of a finished edit to the sink, one after the other, and says where each
 * went. The edit is paid for by then: an image that cannot be read fails the job saying so.
 */
export async function storeOutputs(options: {
  jobId: string;
  result: EditResult;
  output: OutputSink;
}): Promise<QueuedEditImage[]> {
  const { jobId } = options;
  const images: QueuedEditImage[] = [];
  for (const [index, image] of options.result.images.entries()) {
    let bytes: Uint8Array;
    try {
      bytes = await image.bytes();
    } catch (error) {
      throw new RetouchError({
        message: `the edit succeeded (and was paid for) but output ${index + 1} could not be read: ${describeError(error)}`,
        cause: error,
      });
    }
    const location = await options.output({
      jobId,
      index,
      bytes,
      mediaType: image.mediaType,
      fileName: outputFileName({ jobId, index, mediaType: image.mediaType }),
    });
    images.push({ ...location, mediaType: image.mediaType, bytes: bytes.byteLength });
  }
  return images;
}
