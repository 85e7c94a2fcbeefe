import { createRetouch, RateLimitError } from '@retouch/core';
import { Redis } from 'ioredis';
import { afterEach, expect, test } from 'vitest';
import { maxInWindow, recordingFetch } from '../../core/test/support/request-windows.ts';
import { createRedisSharedLimits, type RedisSharedLimits } from '../src/index.ts';
import { describeWithRedis, uniqueName, until, useRedisServer } from './support/redis.ts';
import {
  createWireProvider,
  startWireServer,
  type WireServer,
  wireRequest,
} from './support/wire-provider.ts';

const redisUrl = useRedisServer();

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
        [0, 1, 2, 3].map((edit) => retouch.edit(wireRequest(`c${index} e${edit}`))),
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
    const firstEdit = first!.edit(wireRequest('first'));
    await until(() => server!.rateLimited === 1);
    const refusedAt = server.arrivals[0]!.at;
    await Promise.all([firstEdit, second!.edit(wireRequest('second'))]);
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
        [0, 1, 2].map((edit) => retouch.edit(wireRequest(`c${index} e${edit}`))),
      ),
    );
    expect(server.billed).toHaveLength(9);
    expect(server.maxInFlight).toBe(2);
  });

  test('calls waiting in one process take a free slot highest priority first, then first come', async () => {
    const limits = createRedisSharedLimits({
      connection: redisUrl(),
      account: uniqueName('order'),
      leaseMs: 1_000,
    });
    opened.push(limits);
    const lane = limits.lane({ provider: 'wire', concurrency: 1, requestsPerSecond: undefined })!;
    const signal = new AbortController().signal;
    const holding = await lane.acquire({ priority: 0, signal });
    const order: string[] = [];
    const waiting = (
      [
        ['first low', 0],
        ['high', 5],
        ['second low', 0],
        ['highest', 9],
      ] as const
    ).map(([label, priority]) =>
      lane.acquire({ priority, signal }).then((release) => {
        order.push(label);
        release();
      }),
    );
    holding();
    await Promise.all(waiting);
    expect(order).toEqual(['highest', 'high', 'first low', 'second low']);
  });

  test("a waiting call that aborts rejects with its signal's reason and takes no slot", async () => {
    const limits = createRedisSharedLimits({
      connection: redisUrl(),
      account: uniqueName('abort'),
      leaseMs: 1_000,
    });
    opened.push(limits);
    const lane = limits.lane({ provider: 'wire', concurrency: 1, requestsPerSecond: undefined })!;
    const holding = await lane.acquire({ priority: 0, signal: new AbortController().signal });
    const first = new AbortController();
    const second = new AbortController();
    const firstWaiting = lane.acquire({ priority: 0, signal: first.signal });
    const secondWaiting = lane.acquire({ priority: 0, signal: second.signal });
    const reason = new Error('the caller gave up');
    first.abort(reason);
    second.abort(reason);
    await expect(firstWaiting).rejects.toBe(reason);
    await expect(secondWaiting).rejects.toBe(reason);
    holding();
    // The one slot is free again: neither aborted call kept it.
    const release = await lane.acquire({ priority: 0, signal: AbortSignal.timeout(10_000) });
    release();
  });

  test('a 429 gives back the place its request took in the window, whichever waiting request it was', async () => {
    const account = uniqueName('give-back');
    const limits = createRedisSharedLimits({ connection: redisUrl(), account, leaseMs: 1_000 });
    opened.push(limits);
    const { gate } = limits.lane({ provider: 'wire', concurrency: 4, requestsPerSecond: 10 })!;
    const sent = { method: 'POST', url: 'http://127.0.0.1/edit' };
    // Three requests waiting together: the second and third are admitted while the first is asked for.
    const [, second, third] = await Promise.all([gate.admit(sent), gate.admit(sent), gate.admit(sent)]);
    const redis = new Redis(redisUrl());
    try {
      const window = `retouch:limits:${account}:wire:window`;
      expect(await redis.zcard(window)).toBe(3);
      const limited = new RateLimitError({
        message: 'Rate limit exceeded',
        provider: 'wire',
        url: sent.url,
        method: sent.method,
        statusCode: 429,
        retryAfterMs: 0,
      });
      second!({ status: 429, error: limited });
      third!({ status: 429, error: limited });
      await until(async () => (await redis.zcard(window)) === 1);
    } finally {
      redis.disconnect();
    }
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
