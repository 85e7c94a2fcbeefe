import { createRetouch } from '@retouch/core';
import { describe, expect, test } from 'vitest';
import { call, provider, received, simulator } from './helpers.ts';

const PHOTO = 'https://example.com/photo.png';
/** Slack for the clock reads of one result, in milliseconds. */
const TOLERANCE_MS = 5;

describe('timings through the dispatcher', () => {
  test.each(['sync', 'queue', 'sse'] as const)(
    '%s: the run is not reported as time spent waiting',
    async (mode) => {
      const sim = await simulator({
        jobSchedule: { queuedMs: 50, processingMs: 150 },
        syncEditDelayMs: 150,
      });
      const retouch = createRetouch({ providers: [provider(sim, { mode })] });
      const result = await retouch.edit({ model: 'oxen:qwen-image-edit', prompt: 'hat', images: [PHOTO] });
      await retouch.close();
      const { queuedMs, runningMs, totalMs } = result.timings;
      expect(runningMs).toBeGreaterThan(0);
      expect(queuedMs).toBeGreaterThanOrEqual(0);
      expect(queuedMs + runningMs).toBeLessThanOrEqual(totalMs + TOLERANCE_MS);
      if (mode === 'sse') {
        // The times come without a status read per job: the completion event is the only word.
        expect(received(sim, 'GET /api/ai/queue/:id')).toEqual([]);
      }
    },
  );
});

describe('the start time in sse mode', () => {
  test('comes from a status row the stream already read while the job ran', async () => {
    const sim = await simulator({ jobSchedule: { queuedMs: 20, processingMs: 600 } });
    const oxen = provider(sim, { events: { reconcileIntervalMs: 100 } });
    const result = await oxen.edit(
      await call({ model: 'oxen:qwen-image-edit', prompt: 'hat', images: [PHOTO] }),
    );
    expect(received(sim, 'GET /api/ai/queue/:id').length).toBeGreaterThan(0);
    // Oxen's started_at, whole seconds, read as the middle of its second.
    expect(result.startedAt).toBeTypeOf('number');
    expect(result.startedAt! % 1000).toBe(500);
    expect(result.startedAt!).toBeLessThanOrEqual(Date.now());
  });

  test('is absent when no row was read: the event alone carries no time', async () => {
    const sim = await simulator();
    const oxen = provider(sim);
    const result = await oxen.edit(
      await call({ model: 'oxen:qwen-image-edit', prompt: 'hat', images: [PHOTO] }),
    );
    expect(received(sim, 'GET /api/ai/queue/:id')).toEqual([]);
    expect(result.startedAt).toBeUndefined();
  });
});
