import {
  BudgetExceededError,
  createMemorySpendStore,
  createRetouch,
  type EditJobSnapshot,
  type EditRequest,
  type SharedLimits,
} from '@retouch/core';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { RateController } from '../src/dispatcher/rate-controller.ts';
import { createFakeProvider } from './support/fake-provider.ts';
import { createHttpProvider, type ScriptedServer, startScriptedServer } from './support/http-provider.ts';
import { maxInWindow, recordingFetch } from './support/request-windows.ts';
import { runOnVirtualClock, useVirtualClock } from './support/virtual-clock.ts';

const request = (prompt = 'add a hat', model = 'wire:model-a'): EditRequest => ({
  model,
  prompt,
  images: ['https://example.com/cat.png'],
});

let server: ScriptedServer | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

/** Shared limits kept in this process, standing in for a store several processes reach (Redis). */
function inMemorySharedLimits(): SharedLimits & { acquired: number; maxHeld: number } {
  const rates = new Map<string, RateController>();
  const waiting: (() => void)[] = [];
  let held = 0;
  const shared = {
    acquired: 0,
    maxHeld: 0,
    lane({
      provider,
      concurrency,
      requestsPerSecond,
    }: {
      provider: string;
      concurrency: number;
      requestsPerSecond: number | undefined;
    }) {
      const rate =
        rates.get(provider) ??
        new RateController({ requestsPerSecond, initialPauseMs: 100, maxPauseMs: 1_000 });
      rates.set(provider, rate);
      return {
        async acquire() {
          while (held >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
          held++;
          shared.acquired++;
          shared.maxHeld = Math.max(shared.maxHeld, held);
          return () => {
            held--;
            waiting.shift()?.();
          };
        },
        gate: {
          async admit() {
            for (;;) {
              const openAt = rate.opensAt();
              if (openAt <= Date.now()) break;
              await new Promise((resolve) => setTimeout(resolve, openAt - Date.now()));
            }
            const startedAt = rate.record();
            return (outcome: { error?: unknown }) => {
              if (outcome.error) rate.rateLimited({ startedAt });
              else rate.succeeded({ startedAt });
            };
          },
        },
      };
    },
  };
  return shared;
}

describe('limits shared by several clients', () => {
  test('two clients on one account keep its request window together, not each', async () => {
    // Real sockets on a virtual clock: the server's arrival times are the window's starts to within
    // a step of the clock, whatever the machine's load (support/virtual-clock.ts).
    useVirtualClock();
    server = await startScriptedServer();
    const sharedLimits = inMemorySharedLimits();
    const sent = recordingFetch();
    const clients = [0, 1].map(() =>
      createRetouch({
        providers: [createHttpProvider({ baseURL: server!.url, fetch: sent.fetch })],
        limits: { wire: { requestsPerSecond: 3, concurrency: 4 } },
        sharedLimits,
      }),
    );
    const edits = clients.flatMap((client, index) =>
      Array.from({ length: 4 }, (_, edit) => client.edit(request(`client ${index} edit ${edit}`))),
    );
    const scripted = server;
    await runOnVirtualClock({
      work: Promise.all(edits),
      inTransit: () => scripted.received.length < sent.handOffs.length,
    });
    const arrivals = server.received.map((entry) => entry.at);
    expect(arrivals).toHaveLength(8);
    // Each client alone would let 3 a second through; together they still send only 3.
    expect(maxInWindow(arrivals, 1_000)).toBeLessThanOrEqual(3);
    expect(sharedLimits.acquired).toBe(8);
    await Promise.all(clients.map((client) => client.close()));
  });

  test('shared concurrency: calls in flight across the clients never pass the limit', async () => {
    const sharedLimits = inMemorySharedLimits();
    const fakes = [0, 1].map(() => createFakeProvider({ latencyMs: 30 }));
    const clients = fakes.map((fake) =>
      createRetouch({ providers: [fake], limits: { fake: { concurrency: 2 } }, sharedLimits }),
    );
    await Promise.all(
      clients.flatMap((client) =>
        Array.from({ length: 5 }, (_, index) => client.edit(request(`edit ${index}`, 'fake:model-a'))),
      ),
    );
    expect(sharedLimits.maxHeld).toBe(2);
    await Promise.all(clients.map((client) => client.close()));
  });

  test('a shared budget store keeps one cap across clients', async () => {
    const store = createMemorySpendStore();
    const clients = [0, 1].map(() =>
      createRetouch({
        providers: [createFakeProvider({ estimateUsd: 0.4, reportedUsd: 0.4 })],
        budget: { maxUsd: 1, store },
      }),
    );
    const outcomes = await Promise.allSettled(
      clients.flatMap((client) =>
        [0, 1].map((index) => client.edit(request(`edit ${index}`, 'fake:model-a'))),
      ),
    );
    const refused = outcomes.filter(
      (outcome) => outcome.status === 'rejected' && BudgetExceededError.isInstance(outcome.reason),
    );
    // $0.40 each under a $1.00 cap shared by both clients: two go through, two are refused.
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(2);
    expect(refused).toHaveLength(2);
    expect((refused[0] as PromiseRejectedResult).reason.message).toContain('across every client sharing it');
    expect(await store.totals()).toEqual({ settledUsd: 0.8, possiblyBilledUsd: 0, reservedUsd: 0 });
    const entries = await store.entries();
    expect(entries.map((entry) => entry.state)).toEqual(['settled', 'settled']);
    await Promise.all(clients.map((client) => client.close()));
  });
});

describe('hooks around the billable request', () => {
  test('beforeSend runs before the submission, onProviderJob gets the snapshot before the wait', async () => {
    server = await startScriptedServer();
    const retouch = createRetouch({ providers: [createHttpProvider({ baseURL: server.url, jobs: true })] });
    const seen: string[] = [];
    let snapshot: EditJobSnapshot | undefined;
    const job = await retouch.submit(
      { ...request(), providerOptions: {} },
      {
        beforeSend: () => {
          seen.push(`beforeSend, ${server!.receivedOn('POST /jobs').length} submissions`);
        },
        onProviderJob: async (saved) => {
          seen.push(`onProviderJob, ${server!.receivedOn('GET /jobs').length} status reads`);
          snapshot = saved;
        },
      },
    );
    await job.result();
    expect(seen).toEqual(['beforeSend, 0 submissions', 'onProviderJob, 0 status reads']);
    expect(snapshot).toMatchObject({ providerJobId: 'job-1', provider: 'wire' });
    await retouch.close();
  });

  test('beforeSend runs as the billable request leaves the lane, not while it waits in the window', async () => {
    server = await startScriptedServer();
    const retouch = createRetouch({
      providers: [createHttpProvider({ baseURL: server.url })],
      limits: { wire: { requestsPerSecond: 1 } },
    });
    const seen: string[] = [];
    const edit = (prompt: string) =>
      retouch.edit(request(prompt), {
        beforeSend: () => {
          seen.push(`${prompt} after ${server!.received.length} requests`);
        },
      });
    await Promise.all([edit('first'), edit('second')]);
    // The second waited a window for its turn: its hook ran only once the first had gone out.
    expect(seen).toEqual(['first after 0 requests', 'second after 1 requests']);
    await retouch.close();
  });

  test('a failing onProviderJob stops the job and cancels it on the provider', async () => {
    server = await startScriptedServer();
    const retouch = createRetouch({ providers: [createHttpProvider({ baseURL: server.url, jobs: true })] });
    const error = await retouch
      .submit(request(), {
        onProviderJob: () => {
          throw new Error('the queue could not store the snapshot');
        },
      })
      .catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('the queue could not store the snapshot');
    await retouch.close();
    expect(server.receivedOn('DELETE /jobs')).toHaveLength(1);
  });

  test('a failing beforeSend stops the edit before anything billable is sent', async () => {
    server = await startScriptedServer();
    const retouch = createRetouch({ providers: [createHttpProvider({ baseURL: server.url })] });
    const error = await retouch
      .edit(request(), {
        beforeSend: () => {
          throw new Error('no marker');
        },
      })
      .catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('no marker');
    expect(server.received).toEqual([]);
    await retouch.close();
  });
});

describe('what a queue needs of one edit', () => {
  test("onProgress hears this edit's events only", async () => {
    const retouch = createRetouch({ providers: [createFakeProvider({ latencyMs: 5 })] });
    const mine: string[] = [];
    const theirs: string[] = [];
    await Promise.all([
      retouch.edit(request('mine', 'fake:model-a'), { onProgress: (event) => mine.push(event.jobId) }),
      retouch.edit(request('theirs', 'fake:model-a'), { onProgress: (event) => theirs.push(event.jobId) }),
    ]);
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine).size).toBe(1);
    expect(new Set(theirs).size).toBe(1);
    expect(mine[0]).not.toBe(theirs[0]);
    await retouch.close();
  });

  test('an edit whose snapshot onProviderJob stored is left running when the client closes', async () => {
    server = await startScriptedServer();
    // The job stays "processing" long enough for the client to close while it waits.
    server.script(
      'GET /jobs',
      ...Array.from({ length: 50 }, () => ({ status: 200, body: { status: 'processing' } })),
    );
    const provider = createHttpProvider({ baseURL: server.url, jobs: true, pollIntervalMs: 50 });
    const retouch = createRetouch({ providers: [{ ...provider, prefersJobs: true }] });
    let stored: EditJobSnapshot | undefined;
    const edit = retouch
      .edit(request(), {
        onProviderJob: (snapshot) => {
          stored = snapshot;
        },
      })
      .catch((caught: unknown) => caught);
    const submitted = () => server!.receivedOn('GET /jobs').length > 0;
    while (!submitted()) await new Promise((resolve) => setTimeout(resolve, 10));
    await retouch.close();
    const error = await edit;
    expect((error as Error).name).toBe('JobCancelledError');
    expect((error as Error).message).toContain('was left running');
    expect(server.receivedOn('DELETE /jobs')).toEqual([]);
    expect(stored?.providerJobId).toBe('job-1');
  });

  test('an edit without onProviderJob is still cancelled on the provider when the client closes', async () => {
    server = await startScriptedServer();
    server.script(
      'GET /jobs',
      ...Array.from({ length: 50 }, () => ({ status: 200, body: { status: 'processing' } })),
    );
    const provider = createHttpProvider({ baseURL: server.url, jobs: true, pollIntervalMs: 50 });
    const retouch = createRetouch({ providers: [{ ...provider, prefersJobs: true }] });
    const edit = retouch.edit(request()).catch((caught: unknown) => caught);
    while (server.receivedOn('GET /jobs').length === 0)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await retouch.close();
    expect(((await edit) as Error).message).toMatch(/closed before the edit/);
    expect(server.receivedOn('DELETE /jobs')).toHaveLength(1);
  });
});
