import { createRetouch } from '@retouch/core';
import { describe, expect, test } from 'vitest';
import { provider, received, simulator } from './helpers.ts';

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
