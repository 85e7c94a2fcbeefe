/**
 * The edits the overhead scenario measures, shared with the tools that take them apart
 * (`bench/profile-overhead.ts`, `bench/cpu-by-layer.ts`), so they all measure the same thing.
 */
import type { EditRequest } from '@retouch/core';
import { createTestImage } from '@retouch/simulator';
import type { SimulatorProcess } from './simulator-process.ts';

/** Edits in flight at once, through Retouch's lane, the raw loop and the AI SDK's callers alike. */
export const OVERHEAD_CONCURRENCY = 32;

/** One synchronous Oxen edit of a URL image. */
export const overheadRequest: EditRequest = {
  model: 'oxen:qwen-image-edit',
  prompt: 'Make the background blue',
  images: ['https://example.com/my-photo.jpg'],
  timeoutMs: 60_000,
};

/**
 * The edit Retouch and the AI SDK's `generateImage` both send to Eden AI's `POST /v3/images/edits`,
 * which takes OpenAI's image-edit request and answers in OpenAI's shape: one small PNG in a multipart
 * body, one base64 image back. Small, so the figure is the clients' own work rather than copying bytes.
 */
export const referenceEdit = {
  /** Eden AI's id of the model, which the AI SDK's OpenAI provider sends as it is. */
  model: 'openai/gpt-image-1-mini',
  prompt: 'Make the background blue',
  picture: createTestImage({ width: 32, height: 32 }),
} as const;

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
