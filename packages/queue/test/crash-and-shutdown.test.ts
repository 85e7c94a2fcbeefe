import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, test } from 'vitest';
import {
  createEditQueue,
  createEditWorker,
  createRedisSpendStore,
  type EditQueue,
  type EditWorker,
  type EditWorkerOptions,
  type QueuedEditError,
} from '../src/index.ts';
import { describeWithRedis, uniqueName, until, useRedisServer } from './support/redis.ts';
import {
  createWireProvider,
  startWireServer,
  type WireServer,
  wireRequest,
} from './support/wire-provider.ts';
import type { WorkerChildSettings } from './support/worker-child.ts';
import { killWorkerProcesses, startWorkerProcess } from './support/worker-process.ts';

const redisUrl = useRedisServer();
const LOCK_MS = 1_000;
const STALLED_CHECK_MS = 300;

let server: WireServer;
let directory: string;
let name: string;
let budget: { maxUsd: number; name: string };
const opened: { close(): Promise<void> }[] = [];

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'retouch-queue-'));
  name = uniqueName('crash');
  budget = { maxUsd: 10, name: uniqueName('budget') };
});
afterEach(async () => {
  await killWorkerProcesses();
  for (const each of opened.splice(0).reverse()) await each.close();
  await server?.close();
  await rm(directory, { recursive: true, force: true });
});

function queue(): EditQueue {
  const created = createEditQueue({ connection: redisUrl(), name });
  opened.push(created);
  return created;
}

function childSettings(jobs: boolean, extra: Partial<WorkerChildSettings> = {}): WorkerChildSettings {
  return {
    redisUrl: redisUrl(),
    name,
    wireUrl: server.url,
    jobs,
    output: join(directory, 'out'),
    lockDurationMs: LOCK_MS,
    stalledIntervalMs: STALLED_CHECK_MS,
    budget,
    ...extra,
  };
}

/** A worker in this process that takes over what a stopped one left. */
function survivor(jobs: boolean, options: Partial<EditWorkerOptions> = {}): void {
  opened.push(
    createEditWorker({
      connection: redisUrl(),
      name,
      providers: [createWireProvider({ baseURL: server.url, jobs })],
      output: join(directory, 'out'),
      handleSignals: false,
      lockDurationMs: LOCK_MS,
      stalledIntervalMs: STALLED_CHECK_MS,
      retouch: { budget },
      ...options,
    }),
  );
}

/** The shared budget's ledger: totals and entries. */
async function ledger(): Promise<{
  usage: { spentUsd: number; possiblyBilledUsd: number; reservedUsd: number };
  entries: { key: string; state: string }[];
}> {
  const store = createRedisSpendStore({ connection: redisUrl(), name: budget.name });
  try {
    return { usage: await store.usage(), entries: await store.entries() };
  } finally {
    await store.close();
  }
}

describeWithRedis('a worker killed with jobs in flight', { timeout: 30_000 }, () => {
  test('a job the provider accepted is resumed by another worker, never submitted again', async () => {
    server = await startWireServer({ jobMs: 1_500 });
    const edits = queue();
    const doomed = await startWorkerProcess(childSettings(true));
    const edit = await edits.add(wireRequest('accepted then crash'), { jobId: 'accepted' });
    // The first status read comes after the snapshot was written to the job.
    await until(() => server.arrivals.some((arrival) => arrival.route === 'GET /jobs/:id'));
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    survivor(true);
    const result = await edit.result();
    expect(result.resumed).toBe(true);
    expect(result.providerJobId).toBe('job-1');
    expect(result.worker).not.toBe(doomed.id);
    expect(server.billed).toEqual(['accepted then crash']);
    // The survivor inherited the dead worker's entry and settled it, once.
    const { usage, entries } = await ledger();
    expect(usage).toMatchObject({ spentUsd: 0.25, possiblyBilledUsd: 0, reservedUsd: 0 });
    expect(entries).toMatchObject([{ key: `${name}:accepted`, state: 'settled', providerJobId: 'job-1' }]);
  });

  test('an edit sent but not recorded fails as possibly billed, and is not sent again', async () => {
    server = await startWireServer({ editDelayMs: 1_500 });
    const edits = queue();
    const doomed = await startWorkerProcess(childSettings(false));
    const edit = await edits.add(wireRequest('sent then crash'), { jobId: 'in-flight' });
    await until(() => server.billed.length === 1);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    survivor(false);
    const error = (await edit.result().catch((caught: unknown) => caught)) as QueuedEditError;
    expect(error.errorName).toBe('PossiblyBilledError');
    expect(error.message).toContain('may have been billed');
    expect(error.message).toContain('resendPossiblyBilled');
    // A provider without records of past edits (Eden AI's shape) leaves it as it was, saying so.
    expect(error.message).toContain('wire keeps no records of past edits');
    expect(error.message).toContain('(the budget counts ~$0.25 of it as possibly billed)');
    expect(error.possiblyBilledUsd).toBe(0.25);
    expect(server.billed).toEqual(['sent then crash']);
    // It may have been billed: the dead worker's entry keeps its estimate counted, once.
    const { usage, entries } = await ledger();
    expect(usage).toMatchObject({ spentUsd: 0, possiblyBilledUsd: 0.25, reservedUsd: 0 });
    expect(entries).toMatchObject([{ key: `${name}:in-flight`, state: 'possibly-billed' }]);
  });

  test('with resendPossiblyBilled the survivor sends it again', async () => {
    server = await startWireServer({ editDelayMs: 1_000 });
    const edits = queue();
    const doomed = await startWorkerProcess(childSettings(false));
    const edit = await edits.add(wireRequest('resend me'), { jobId: 'resend' });
    await until(() => server.billed.length === 1);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    survivor(false, { resendPossiblyBilled: true });
    const result = await edit.result();
    expect(result.resumed).toBe(false);
    expect(server.billed).toEqual(['resend me', 'resend me']);
    // The resend is a billing of its own; the first send stays counted as possibly billed.
    const { usage, entries } = await ledger();
    expect(usage).toMatchObject({ spentUsd: 0.25, possiblyBilledUsd: 0.25, reservedUsd: 0 });
    expect(entries.map((entry) => entry.state)).toEqual(['possibly-billed', 'settled']);
    expect(entries[1]!.key).toMatch(new RegExp(`^${name}:resend:resent-\\d+$`));
  });
});

describeWithRedis('graceful shutdown on SIGTERM', { timeout: 30_000 }, () => {
  test('a provider job still running after the grace period goes back to the queue, and the process exits', async () => {
    server = await startWireServer({ jobMs: 2_500 });
    const edits = queue();
    const stopping = await startWorkerProcess(childSettings(true, { shutdownGraceMs: 100 }));
    const edit = await edits.add(wireRequest('hand me over'), { jobId: 'handover' });
    await until(() => server.arrivals.some((arrival) => arrival.route === 'GET /jobs/:id'));
    stopping.child.kill('SIGTERM');
    expect(await stopping.exited).toEqual({ code: 0, signal: null });
    expect(stopping.stderr()).toBe('');
    expect(await edit.status()).toBe('waiting');
    // The provider job was left running, not cancelled.
    expect(server.arrivals.some((arrival) => arrival.route === 'DELETE /jobs/:id')).toBe(false);
    survivor(true);
    const result = await edit.result();
    expect(result.resumed).toBe(true);
    expect(server.billed).toEqual(['hand me over']);
    // Counted once: the entry the worker that let it go left possibly billed, settled by the one that resumed it.
    const { usage, entries } = await ledger();
    expect(usage).toMatchObject({ spentUsd: 0.25, possiblyBilledUsd: 0, reservedUsd: 0 });
    expect(entries).toMatchObject([{ key: `${name}:handover`, state: 'settled' }]);
  });

  test('a one-shot edit in flight is finished before the process exits', async () => {
    server = await startWireServer({ editDelayMs: 800 });
    const edits = queue();
    const stopping = await startWorkerProcess(childSettings(false, { shutdownGraceMs: 100 }));
    const edit = await edits.add(wireRequest('finish me'), { jobId: 'finish' });
    await until(() => server.billed.length === 1);
    stopping.child.kill('SIGTERM');
    expect(await stopping.exited).toEqual({ code: 0, signal: null });
    const result = await edit.result();
    expect(result.worker).toBe(stopping.id);
    expect(server.billed).toEqual(['finish me']);
  });
});

describeWithRedis('a job’s budget hold', { timeout: 30_000 }, () => {
  test('a worker taking over an unsent job inherits its dead worker’s hold, even with the budget full', async () => {
    server = await startWireServer();
    budget = { maxUsd: 0.25, name: uniqueName('budget') };
    // What a worker that died after reserving and before sending leaves: the whole budget held for the job.
    const store = createRedisSpendStore({ connection: redisUrl(), name: budget.name });
    opened.push(store);
    await store.reserve({ key: `${name}:unsent`, model: 'wire:model', usd: 0.25, maxUsd: 0.25 });
    const edits = queue();
    survivor(false);
    const edit = await edits.add(wireRequest('never sent'), { jobId: 'unsent' });
    const result = await edit.result();
    expect(result.images).toHaveLength(1);
    expect(server.billed).toEqual(['never sent']);
    const { usage, entries } = await ledger();
    expect(usage).toMatchObject({ spentUsd: 0.25, possiblyBilledUsd: 0, reservedUsd: 0 });
    expect(entries).toMatchObject([{ key: `${name}:unsent`, state: 'settled' }]);
  });

  test('a worker starting returns the holds of jobs that failed or went while no worker listened', async () => {
    server = await startWireServer();
    const store = createRedisSpendStore({ connection: redisUrl(), name: budget.name });
    opened.push(store);
    const bull = new Queue(name, { connection: { url: redisUrl() }, prefix: 'retouch:queue' });
    opened.push(bull);
    // Held by workers that died; the jobs were then removed, or failed, with no worker listening.
    await store.reserve({ key: `${name}:gone`, model: 'wire:model', usd: 0.25 });
    await store.reserve({ key: `${name}:gone:resent-77`, model: 'wire:model', usd: 0.25 });
    await store.reserve({ key: `${name}:crashed`, model: 'wire:model', usd: 0.25 });
    const failing = await bull.add('edit', { nothing: true }, { jobId: 'crashed', attempts: 1 });
    // Failed by a process with no Retouch worker in it, so no one hears the event.
    const bare = new Worker(
      name,
      async () => {
        throw new Error('failed elsewhere');
      },
      { connection: { url: redisUrl() }, prefix: 'retouch:queue' },
    );
    await until(async () => (await failing.getState()) === 'failed');
    await bare.close();
    // Still to run: its hold is the job's, for whichever worker runs it.
    await store.reserve({ key: `${name}:later`, model: 'wire:model', usd: 0.25 });
    await bull.add('edit', wireRequest('later'), { jobId: 'later', delay: 60_000 });
    // Another queue's hold is not this worker's to judge.
    await store.reserve({ key: `other-${name}:gone`, model: 'wire:model', usd: 0.25 });
    survivor(false);
    await (opened.at(-1) as EditWorker).ready();
    const states = Object.fromEntries((await store.entries()).map((entry) => [entry.key, entry.state]));
    expect(states).toEqual({
      [`${name}:gone`]: 'released',
      [`${name}:gone:resent-77`]: 'released',
      [`${name}:crashed`]: 'released',
      [`${name}:later`]: 'reserved',
      [`other-${name}:gone`]: 'reserved',
    });
  });

  test('the hold of a job that ends without running is returned; a possibly billed one keeps counting', async () => {
    server = await startWireServer();
    const store = createRedisSpendStore({ connection: redisUrl(), name: budget.name });
    opened.push(store);
    await store.reserve({ key: `${name}:broken`, model: 'wire:model', usd: 0.25 });
    await store.reserve({ key: `${name}:dropped`, model: 'wire:model', usd: 0.25 });
    // Its first send may have been billed; its resend was held, never sent.
    await store.reserve({ key: `${name}:abandoned`, model: 'wire:model', usd: 0.25 });
    await store.markPossiblyBilled({ key: `${name}:abandoned` });
    await store.reserve({ key: `${name}:abandoned:resent-1234`, model: 'wire:model', usd: 0.25 });
    await store.reserve({ key: `${name}:sent`, model: 'wire:model', usd: 0.25 });
    await store.markPossiblyBilled({ key: `${name}:sent` });
    survivor(false);
    await (opened.at(-1) as EditWorker).ready();
    const bull = new Queue(name, { connection: { url: redisUrl() }, prefix: 'retouch:queue' });
    opened.push(bull);
    // A job no Retouch edit is in fails before anything is reserved; one removed never runs.
    await bull.add('edit', { nothing: true }, { jobId: 'broken', attempts: 1 });
    await bull.add('edit', { nothing: true }, { jobId: 'dropped', delay: 60_000 });
    await (await bull.getJob('dropped'))!.remove();
    // A job whose workers kept dying while sending it again: BullMQ marks it to fail (as its stalled
    // check does after maxStalledCount), and the next worker fails it without running it.
    const abandonedData = {
      type: 'retouch.queued-edit',
      version: 1,
      request: wireRequest('abandoned'),
      priority: 0,
      sent: { at: 1234, worker: 'gone' },
    };
    const abandoned = await bull.add('edit', abandonedData, { jobId: 'abandoned', delay: 60_000 });
    const client = new Redis(redisUrl());
    opened.push({ close: async () => void (await client.quit()) });
    await client.hset(`retouch:queue:${name}:abandoned`, 'defa', 'job stalled more than allowable limit');
    await abandoned.promote();
    await bull.add('edit', { nothing: true }, { jobId: 'sent', attempts: 1 });
    await until(async () => (await store.usage()).reservedUsd === 0);
    await until(async () => (await bull.getJobCounts('failed')).failed === 3);
    expect((await bull.getJob('abandoned'))!.failedReason).toBe('job stalled more than allowable limit');
    expect(await store.usage()).toMatchObject({ spentUsd: 0, possiblyBilledUsd: 0.5, reservedUsd: 0 });
    const states = Object.fromEntries((await store.entries()).map((entry) => [entry.key, entry.state]));
    expect(states).toEqual({
      [`${name}:broken`]: 'released',
      [`${name}:dropped`]: 'released',
      [`${name}:abandoned`]: 'possibly-billed',
      [`${name}:abandoned:resent-1234`]: 'released',
      [`${name}:sent`]: 'possibly-billed',
    });
  });
});
