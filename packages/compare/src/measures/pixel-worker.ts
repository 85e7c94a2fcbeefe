/**
 * The entry of a pixel thread: compares outputs with their reference (pixelmatch, SSIM, the diff
 * overlay) off the comparison's main thread, so that thread keeps receiving the other edits.
 */
import { parentPort } from 'node:worker_threads';
import { comparePixels, type PixelReference } from './compare-pixels.ts';
import type { PixelThreadAnswer, PixelThreadRequest } from './pixel-worker-protocol.ts';

const port = parentPort;
const references = new Map<number, PixelReference>();

function answer(message: PixelThreadAnswer, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

port?.on('message', (request: PixelThreadRequest) => {
  if (request.kind === 'reference') {
    references.set(request.id, request.reference);
    return;
  }
  if (request.kind === 'forget') {
    references.delete(request.id);
    return;
  }
  try {
    const reference = references.get(request.reference);
    if (reference === undefined) throw new Error(`unknown reference ${request.reference}`);
    const comparison = comparePixels({
      reference,
      output: request.output,
      ...(request.smallOutput ? { smallOutput: request.smallOutput } : {}),
    });
    answer({ kind: 'compared', comparison }, [comparison.overlay.data.buffer as ArrayBuffer]);
  } catch (error) {
    answer({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
});
answer({ kind: 'ready' });
