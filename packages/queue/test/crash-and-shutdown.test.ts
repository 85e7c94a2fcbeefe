import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import {
  createEditQueue,
  createEditWorker,
  createRedisBudgetStore,
  type EditQueue,
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
  killWorkerProcesses();
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

/** The shared budget once the reservations of stopped workers have lapsed. */
async function settledBudget(): Promise<{ spentUsd: number; reservedUsd: number }> {
  const store = createRedisBudgetStore({ connection: redisUrl(), name: budget.name });
  try {
    await until(async () => (await store.usage()).reservedUsd === 0);
    return await store.usage();
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
    // The dead worker's reservation lapsed; the survivor counted what the job cost, once.
    expect((await settledBudget()).spentUsd).toBe(0.25);
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
    expect(server.billed).toEqual(['sent then crash']);
    // It may have been billed: its estimate counts as spent.
    expect((await settledBudget()).spentUsd).toBe(0.25);
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
    // Counted once: by the worker that resumed it, not also by the one that let it go.
    expect(await settledBudget()).toMatchObject({ spentUsd: 0.25, reservedUsd: 0 });
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
