import { afterEach, describe, expect, test, vi } from 'vitest';
import { recordingFetch } from '../../core/test/support/request-windows.ts';
import { runOnVirtualClock, useVirtualClock } from '../../core/test/support/virtual-clock.ts';
import { busiestSecond, client, provider, received, simulator } from './helpers.ts';

/*
 * A configured requestsPerSecond is an account limit: no sliding one-second window at the server may
 * hold more requests than it, of any kind (schema lookups, the event stream's opening, enqueues, sync
 * edits, status and cost reads, cancels, downloads of results from Oxen's host), whatever the mode.
 * The client and the simulator run on a virtual clock over real sockets, so each arrival is stamped
 * within a step of the lane's start however loaded the machine is (core's test/support/virtual-clock.ts).
 */

const PHOTO = 'https://example.com/photo.png';
const request = { model: 'oxen:qwen-image-edit', prompt: 'hat', images: [PHOTO] };

afterEach(() => {
  vi.useRealTimers();
});

describe.each(['sync', 'queue', 'sse'] as const)('%s mode under limits.oxen.requestsPerSecond', (mode) => {
  test('eight edits at 4 requests a second, results downloaded: no second at the server holds more than 4', async () => {
    useVirtualClock();
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 100 } });
    const sent = recordingFetch();
    const retouch = client(provider(sim, { mode, reportCost: true, fetch: sent.fetch }), {
      limits: { oxen: { requestsPerSecond: 4 } },
    });
    const results = await runOnVirtualClock({
      work: (async () => {
        const edited = await Promise.all(Array.from({ length: 8 }, () => retouch.edit(request)));
        await Promise.all(edited.map((result) => result.images[0]!.bytes()));
        return edited;
      })(),
      inTransit: () => sim.requests.length < sent.handOffs.length,
    });
    expect(results.every((result) => result.images.length === 1)).toBe(true);
    // The edits went out, and (in the queue modes) were read: the limit held over real traffic.
    const edits = mode === 'sync' ? 'POST /api/ai/images/edit' : 'POST /api/ai/queue';
    expect(received(sim, edits)).toHaveLength(8);
    expect(received(sim, 'GET /files/:id')).toHaveLength(8);
    if (mode === 'queue') expect(received(sim, 'GET /api/ai/generations/:id')).toHaveLength(8);
    expect(sim.requests.length).toBeGreaterThan(8);
    expect(busiestSecond(sim)).toBeLessThanOrEqual(4);
  });

  test('one edit with n = 8 at 2 requests a second: no second at the server holds more than 2', async () => {
    useVirtualClock();
    const sim = await simulator({ jobSchedule: { queuedMs: 5, processingMs: 50 } });
    const sent = recordingFetch();
    const retouch = client(provider(sim, { mode, fetch: sent.fetch }), {
      limits: { oxen: { requestsPerSecond: 2 } },
    });
    const result = await runOnVirtualClock({
      work: retouch.edit({ ...request, n: 8 }),
      inTransit: () => sim.requests.length < sent.handOffs.length,
    });
    expect(result.images).toHaveLength(8);
    if (mode === 'sync') expect(received(sim, 'POST /api/ai/images/edit')).toHaveLength(8);
    // Eight generations are two enqueues of four.
    else expect(received(sim, 'POST /api/ai/queue')).toHaveLength(2);
    expect(busiestSecond(sim)).toBeLessThanOrEqual(2);
  });
});
