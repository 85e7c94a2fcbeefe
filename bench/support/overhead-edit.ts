/**
 * The edit the overhead scenario measures, shared with the tools that take it apart
 * (`bench/profile-overhead.ts`, `bench/cpu-by-layer.ts`), so they all measure the same thing.
 */
import type { EditRequest } from '@retouch/core';
import type { SimulatorProcess } from './simulator-process.ts';

/** Edits in flight at once, through Retouch's lane and in the raw loop alike. */
export const OVERHEAD_CONCURRENCY = 32;

/** One synchronous Oxen edit of a URL image. */
export const overheadRequest: EditRequest = {
  model: 'oxen:qwen-image-edit',
  prompt: 'Make the background blue',
  images: ['https://example.com/my-photo.jpg'],
  timeoutMs: 60_000,
};

/**
 * Sends one edit with `edit` and returns the JSON body the simulator received: what a raw fetch loop
 * sends, so both arms put the same bytes on the wire.
 */
export async function recordEditBody(
  simulator: SimulatorProcess,
  edit: () => Promise<unknown>,
): Promise<unknown> {
  await simulator.clear();
  await edit();
  return (await simulator.summary()).lastEditBody;
}
