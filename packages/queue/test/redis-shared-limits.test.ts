import { createRetouch, type EditRequest } from '@retouch/core';
import { afterEach, expect, test } from 'vitest';
import { maxInWindow, recordingFetch } from '../../core/test/support/request-windows.ts';
import { createRedisSharedLimits, type RedisSharedLimits } from '../src/index.ts';
import { describeWithRedis, uniqueName, until, useRedisServer } from './support/redis.ts';
import { createWireProvider, startWireServer, type WireServer } from './support/wire-provider.ts';

const redisUrl = useRedisServer();
const request = (prompt: string): EditRequest => ({
  model: 'wire:model',
  prompt,
  images: ['https://example.com/cat.png'],
});

let server: WireServer | undefined;
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const each of opened.splice(0).reverse()) await each.close();
  await server?.close();
  server = undefined;
});

/** One "process": its own connection to Redis and its own Retouch client. */
function client(options: {
  account: string;
  limits: { requestsPerSecond?: number; concurrency?: number };
  fetch?: typeof globalThis.fetch;
}) {
  const sharedLimits: RedisSharedLimits = createRedisSharedLimits({
    connection: redisUrl(),
    account: options.account,
    leaseMs: 1_000,
    initialPauseMs: 200,
  });
  const retouch = createRetouch({
    providers: [
      createWireProvider({ baseURL: server!.url, ...(options.fetch ? { fetch: options.fetch } : {}) }),
    ],
    limits: { wire: options.limits },
    sharedLimits,
  });
  opened.push(sharedLimits, retouch);
  return retouch;
}

describeWithRedis('limits shared through Redis', () => {
  test('two processes on one account keep its request window together', async () => {
    server = await startWireServer({ requestsPerSecond: 3 });
    const account = uniqueName('window');
    // The window runs on Redis's clock, which no test can make virtual, and arrivals at the server
    // carry the machine's load: the first of a burst was seen 250 ms late while the rest took a few.
    // So both processes' requests are counted as they leave, in windows of one second: the shared
    // window's span (one second plus SHARED_WINDOW_MARGIN_MS) less that margin, which it keeps for
    // the way from Redis's admission to the request leaving. A 429 could still come from arrivals
    // delayed past the margin, and is answered with a retry, so none is asserted away.
    const sent = recordingFetch();
    const clients = [0, 1].map(() =>
      client({ account, limits: { requestsPerSecond: 3, concurrency: 8 }, fetch: sent.fetch }),
    );
    const results = await Promise.all(
      clients.flatMap((retouch, index) =>
        [0, 1, 2, 3].map((edit) => retouch.edit(request(`c${index} e${edit}`))),
      ),
    );
    expect(results).toHaveLength(8);
    expect(server.billed).toHaveLength(8);
    expect(sent.handOffs).toHaveLength(server.arrivals.length);
    const counted = sent.handOffs.filter((handOff) => handOff.status !== 429);
    // Each client alone would send 3 a second; together they still send 3. A refused request gives
    // its place in the window back, as the provider did not count it.
    expect(
      maxInWindow(
        counted.map((handOff) => handOff.at),
        1_000,
      ),
    ).toBeLessThanOrEqual(3);
  });

  test("one process's 429 pauses the provider for every process", async () => {
    server = await startWireServer();
    const account = uniqueName('pause');
    const [first, second] = [0, 1].map(() => client({ account, limits: { concurrency: 4 } }));
    server.rateLimitNext({ count: 1, retryAfterSeconds: 0.6 });
    const firstEdit = first!.edit(request('first'));
    await until(() => server!.rateLimited === 1);
    const refusedAt = server.arrivals[0]!.at;
    await Promise.all([firstEdit, second!.edit(request('second'))]);
    const after = server.arrivals.slice(1);
    expect(after.map((arrival) => arrival.status)).toEqual([200, 200]);
    // Nothing reached the provider during the pause it asked for (a little slack for two clocks).
    for (const arrival of after) expect(arrival.at).toBeGreaterThanOrEqual(refusedAt + 550);
  });

  test('calls in flight across processes never pass the account concurrency', async () => {
    server = await startWireServer({ editDelayMs: 80 });
    const account = uniqueName('slots');
    const clients = [0, 1, 2].map(() => client({ account, limits: { concurrency: 2 } }));
    await Promise.all(
      clients.flatMap((retouch, index) =>
        [0, 1, 2].map((edit) => retouch.edit(request(`c${index} e${edit}`))),
      ),
    );
    expect(server.billed).toHaveLength(9);
    expect(server.maxInFlight).toBe(2);
  });

  test("a stopped process's call slots come back when their lease ends", async () => {
    const account = uniqueName('lease');
    const settings = { provider: 'wire', concurrency: 1, requestsPerSecond: undefined };
    const crashed = createRedisSharedLimits({ connection: redisUrl(), account, leaseMs: 1_000 });
    const held = crashed.lane(settings)!;
    await held.acquire({ priority: 0, signal: new AbortController().signal });
    // The process "dies": it stops renewing and never gives the slot back.
    await crashed.close();
    const survivor = createRedisSharedLimits({ connection: redisUrl(), account, leaseMs: 1_000 });
    opened.push(survivor);
    const release = await survivor.lane(settings)!.acquire({
      priority: 0,
      signal: AbortSignal.timeout(10_000),
    });
    release();
  });
});
