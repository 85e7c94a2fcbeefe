/**
 * A 429 storm side by side: the same burst of edits against an OpenAI-shaped simulator that accepts
 * 4 edits in any second, sent by the AI SDK alone (generateImage with its default retries) and by the
 * same model through Retouch with the limit configured. Each side reports its 429s and its lost edits.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { createRetouch } from '@retouch/core';
import { type OpenAISimulator, startOpenAISimulator } from '@retouch/simulator';
import { generateImage } from 'ai';
import { afterEach, expect, it } from 'vitest';
import { fromImageModel } from '../src/index.ts';
import { photo } from './helpers.ts';

const LIMIT = 4;
const EDITS = 16;

let sim: OpenAISimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

interface Side {
  /** Edits that came back with an image. */
  succeeded: number;
  /** Edits that failed for good. */
  lost: number;
  /** 429 answers the provider gave. */
  rateLimited: number;
  /** Edits the provider ran (and would bill). */
  billed: number;
}

async function storm(simulator: OpenAISimulator, send: () => Promise<unknown>): Promise<Side> {
  simulator.clearRequests();
  const outcomes = await Promise.allSettled(Array.from({ length: EDITS }, send));
  const succeeded = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
  return {
    succeeded,
    lost: EDITS - succeeded,
    rateLimited: simulator.requests.filter((request) => request.status === 429).length,
    billed: simulator.billableCount,
  };
}

it('429 storm: the AI SDK alone loses edits to 429s; through Retouch with the limit set, none are lost', async () => {
  sim = await startOpenAISimulator({ rateLimit: { requestsPerSecond: LIMIT, windowMs: 1_000 } });
  const simulator = sim;
  const openai = createOpenAI({ apiKey: simulator.apiKey, baseURL: `${simulator.url}/v1` });
  const prompt = { text: 'Make it a watercolour', images: [photo()] };

  // The AI SDK alone: each call retries its 429 twice (honouring retry-after-ms), then gives up.
  const alone = await storm(simulator, () => generateImage({ model: openai.image('gpt-image-1'), prompt }));
  // Let the simulator's window empty before the second side starts.
  await new Promise((resolve) => setTimeout(resolve, 1_100));

  const retouch = createRetouch({
    providers: [fromImageModel(openai.image('gpt-image-1'), { id: 'openai' })],
    limits: { openai: { requestsPerSecond: LIMIT } },
  });
  const bridged = await storm(simulator, () =>
    retouch.edit({ model: 'openai:gpt-image-1', prompt: prompt.text, images: prompt.images }),
  );
  await retouch.close();

  console.log(
    `429 storm, ${EDITS} edits at a limit of ${LIMIT}/s:\n` +
      `  AI SDK alone (default retries): ${alone.rateLimited} 429s, ${alone.lost} edits lost\n` +
      `  through Retouch (limit set):    ${bridged.rateLimited} 429s, ${bridged.lost} edits lost`,
  );
  // Three attempts of a burst of 16 fit 12 edits in three windows: at least one edit is lost.
  expect(alone.lost).toBeGreaterThan(0);
  expect(alone.rateLimited).toBeGreaterThanOrEqual(EDITS);
  expect(bridged.lost).toBe(0);
  expect(bridged.rateLimited).toBeLessThan(alone.rateLimited / 4);
  // Neither side paid twice: every billed edit is one that came back.
  expect(alone.billed).toBe(alone.succeeded);
  expect(bridged.billed).toBe(EDITS);
}, 30_000);
