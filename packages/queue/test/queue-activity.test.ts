import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { createEditQueue, createEditWorker, type EditQueue, type EditWorker } from '../src/index.ts';
import { describeWithRedis, uniqueName, until, useRedisServer } from './support/redis.ts';
import {
  createWireProvider,
  startWireServer,
  type WireServer,
  wireRequest,
} from './support/wire-provider.ts';

const redisUrl = useRedisServer();
const opened: { close(): Promise<void> }[] = [];
let server: WireServer | undefined;
let directory: string | undefined;
afterEach(async () => {
  for (const each of opened.splice(0).reverse()) await each.close();
  await server?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

describeWithRedis('what a queue says of its activity', () => {
  test('no worker at first; then the worker, its running job and the job’s live lock', async () => {
    const name = uniqueName('activity');
    const edits: EditQueue = createEditQueue({ connection: redisUrl(), name });
    opened.push(edits);
    await edits.add(wireRequest('add a hat'));
    expect(await edits.activity()).toEqual({ workers: 0, waiting: 1, active: 0, delayed: [], locks: [] });

    server = await startWireServer({ jobMs: 3_000 });
    directory = await mkdtemp(join(tmpdir(), 'retouch-activity-'));
    const worker: EditWorker = createEditWorker({
      connection: redisUrl(),
      name,
      providers: [createWireProvider({ baseURL: server.url, jobs: true })],
      output: join(directory, 'out'),
      handleSignals: false,
    });
    opened.push(worker);
    await worker.ready();
    await until(async () => (await edits.activity()).active === 1);
    const activity = await edits.activity();
    expect(activity.workers).toBe(1);
    expect(activity.locks).toHaveLength(1);
    // A live worker holds its lock for 30 s and renews it halfway.
    expect(activity.locks[0]!.remainingMs).toBeGreaterThan(10_000);
  });
});
