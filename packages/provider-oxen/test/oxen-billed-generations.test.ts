import { InvalidRequestError } from '@retouch/core';
import { describe, expect, test } from 'vitest';
import { client, provider, received, simulator } from './helpers.ts';

/* What Oxen billed over a time range, read from its generation history, every page. */

const request = {
  model: 'oxen:qwen-image-edit',
  prompt: 'Put a hat on it',
  images: ['https://images.example.com/cat.png'],
};

describe('listBilledGenerations', () => {
  test('every generation of the range, with its cost, prompt, time and output URL, and the total', async () => {
    const sim = await simulator();
    const oxen = provider(sim, { mode: 'queue' });
    const from = new Date(Date.now() - 2_000);
    const retouch = client(oxen);
    const queued = await retouch.edit({ ...request, n: 2 });
    const synced = await retouch.edit({
      ...request,
      prompt: 'A scarf',
      providerOptions: { oxen: { mode: 'sync' } },
    });

    const billed = await oxen.listBilledGenerations({ from, to: new Date(Date.now() + 2_000) });
    expect(billed.totalUsd).toBeCloseTo(0.09, 6);
    expect(billed.generations).toHaveLength(3);
    const ids = queued.jobId!.split(',');
    for (const generation of billed.generations) {
      expect(generation).toMatchObject({
        model: 'qwen-image-edit',
        status: 'succeeded',
        costUsd: 0.03,
        outputUrls: [expect.stringMatching(/^http/)],
      });
      expect(generation.createdAt.getTime()).toBeGreaterThanOrEqual(Math.floor(from.getTime() / 1000) * 1000);
    }
    expect(billed.generations.filter((generation) => ids.includes(generation.generationId))).toHaveLength(2);
    expect(billed.generations.map((generation) => generation.prompt).sort()).toEqual([
      'A scarf',
      'Put a hat on it',
      'Put a hat on it',
    ]);
    expect(synced.images[0]!.url).toBe(billed.generations[0]!.outputUrls[0]);
  });

  test('reads every page, and keeps only the range', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 60_000, processingMs: 1 } });
    const enqueue = (prompt: string) =>
      fetch(`${sim.url}/api/ai/queue`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'qwen-image-edit',
          prompt,
          input_image: request.images[0],
          num_generations: 4,
        }),
      });
    for (let index = 0; index < 26; index++) await enqueue(`edit ${index}`);
    const oxen = provider(sim);
    const everything = await oxen.listBilledGenerations({ from: 0 });
    expect(everything.generations).toHaveLength(104);
    expect(everything.totalUsd).toBe(0);
    expect(everything.generations.every((generation) => generation.status === 'queued')).toBe(true);
    expect(everything.generations.every((generation) => generation.costUsd === undefined)).toBe(true);
    const pages = received(sim, 'GET /api/ai/generations').map((read) => read.query);
    expect(pages).toEqual([
      { page: '1', page_size: '100' },
      { page: '2', page_size: '100' },
    ]);

    const future = await oxen.listBilledGenerations({ from: Date.now() + 60_000 });
    expect(future.generations).toEqual([]);
    const past = await oxen.listBilledGenerations({ from: 0, to: Date.now() - 60_000 });
    expect(past.generations).toEqual([]);
    const flux = await oxen.listBilledGenerations({ from: 0, model: 'flux-kontext-dev' });
    expect(flux.generations).toEqual([]);
  });

  test('a bound that is not a time is refused before any request, naming the field', async () => {
    const sim = await simulator();
    const oxen = provider(sim);
    const error = await oxen
      .listBilledGenerations({ from: new Date('not a date') })
      .catch((caught: unknown) => caught);
    expect(InvalidRequestError.isInstance(error)).toBe(true);
    expect(String(error)).toMatch(/from must be a valid Date/);
    expect(sim.requests).toHaveLength(0);
  });
});
