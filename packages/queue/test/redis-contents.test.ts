import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { expect, test } from 'vitest';
import { createEditQueue, createEditWorker } from '../src/index.ts';
import { describeWithRedis, uniqueName, useRedisServer } from './support/redis.ts';
import { createWireProvider, startWireServer } from './support/wire-provider.ts';

const redisUrl = useRedisServer();

/** Every value Redis holds, as text. */
async function everything(client: Redis): Promise<string> {
  let text = '';
  for (const key of await client.keys('*')) {
    const type = await client.type(key);
    const value =
      type === 'string'
        ? await client.get(key)
        : type === 'hash'
          ? await client.hgetall(key)
          : type === 'list'
            ? await client.lrange(key, 0, -1)
            : type === 'set'
              ? await client.smembers(key)
              : type === 'zset'
                ? await client.zrange(key, '0', '-1')
                : type === 'stream'
                  ? await client.xrange(key, '-', '+')
                  : '';
    text += `${key} ${JSON.stringify(value)}\n`;
  }
  return text;
}

describeWithRedis('what Redis holds', () => {
  test('jobs, snapshots, limits and budgets, and never an API key', async () => {
    const server = await startWireServer({ jobMs: 30 });
    const directory = await mkdtemp(join(tmpdir(), 'retouch-queue-'));
    const name = uniqueName('secrets');
    const queue = createEditQueue({ connection: redisUrl(), name });
    const worker = createEditWorker({
      connection: redisUrl(),
      name,
      providers: [createWireProvider({ baseURL: server.url, jobs: true })],
      retouch: { limits: { wire: { requestsPerSecond: 50 } }, budget: { maxUsd: 5 } },
      output: directory,
      handleSignals: false,
    });
    const client = new Redis(redisUrl());
    try {
      await (
        await queue.add({
          model: 'wire:model',
          prompt: 'keep it secret',
          images: ['https://example.com/a.png'],
        })
      ).result();
      const contents = await everything(client);
      expect(contents).toContain('keep it secret');
      expect(contents).toContain('retouch.edit-job'); // the snapshot
      expect(contents).toContain(`retouch:limits:${name}:wire`);
      expect(contents).toContain(`retouch:budget:${name}`);
      expect(contents).not.toContain('wire-secret-key');
    } finally {
      client.disconnect();
      await worker.close();
      await queue.close();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
