import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompareResults } from '@retouch/compare';
import { type OxenSimulator, startOxenSimulator } from '@retouch/simulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  hasRedisServer as hasRedis,
  type RedisServer,
  startRedisServer,
} from '../../../scripts/lib/redis-server.ts';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { startCliWorker } from './support/cli-worker.ts';
import { run } from './support/io.ts';

let cwd: string;
let oxen: OxenSimulator;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'retouch-rerun-'));
  await copyFile(SAMPLE_IMAGE_PATH, join(cwd, 'photo.png'));
  oxen = await startOxenSimulator({ jobSchedule: { queuedMs: 0, processingMs: 20 } });
  cleanups.push(() => oxen.close());
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await rm(cwd, { recursive: true, force: true });
});

const env = () => ({ OXEN_API_KEY: oxen.apiKey, OXEN_BASE_URL: oxen.url });

/** Writes a 20-line manifest; line 7 names `model7`. */
async function manifest(model7: string): Promise<void> {
  const lines = Array.from({ length: 20 }, (_, index) =>
    JSON.stringify({
      model: index === 6 ? model7 : 'oxen:qwen-image-edit',
      prompt: `edit ${index + 1}`,
      images: ['photo.png'],
    }),
  );
  await writeFile(join(cwd, 'manifest.jsonl'), `${lines.join('\n')}\n`);
}

/** The prompts of the billable requests the simulator received. */
function billedPrompts(): string[] {
  return oxen.requests
    .filter((request) => request.billable)
    .map((request) => (request.body as { prompt: string }).prompt);
}

async function results(): Promise<CompareResults> {
  return JSON.parse(await readFile(join(cwd, 'out', 'results.json'), 'utf8')) as CompareResults;
}

describe('a batch fixed and run again', { timeout: 60_000 }, () => {
  it('runs the fixed line alone: exactly one new billable request', async () => {
    await manifest('oxen:qwen-image-edt');
    const argv = ['batch', 'manifest.jsonl', '--out', 'out', '--budget-usd', '5'];
    // Checked before anything is sent: the mistyped model is named, and nothing goes out.
    const refused = await run(argv, { cwd, env: env() });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/manifest.jsonl:7: model: "oxen:qwen-image-edt" is not in/);
    expect(billedPrompts()).toHaveLength(0);
    const first = await run([...argv, '--skip-invalid'], { cwd, env: env() });
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('20 lines: 19 succeeded, 1 failed');
    expect(first.stdout).toMatch(/line 7: /);
    expect(billedPrompts()).toHaveLength(19);

    await manifest('oxen:qwen-image-edit');
    const second = await run(argv, { cwd, env: env() });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('20 lines: 20 succeeded, 0 failed (19 from an earlier run)');
    expect(billedPrompts()).toHaveLength(20);
    expect(billedPrompts().at(-1)).toBe('edit 7');
    const summary = await results();
    expect(summary.runs.map((entry) => entry.status)).toEqual(Array(20).fill('succeeded'));
    expect(summary.summary.totalCostUsd).toBeCloseTo(20 * 0.03, 6);
    expect(summary.summary.possiblyBilledUsd).toBe(0);

    // Nothing is left to run, and moving a line does not make it new.
    const lines = (await readFile(join(cwd, 'manifest.jsonl'), 'utf8')).trim().split('\n');
    await writeFile(
      join(cwd, 'manifest.jsonl'),
      `${[...lines.slice(10), ...lines.slice(0, 10)].join('\n')}\n`,
    );
    const third = await run(argv, { cwd, env: env() });
    expect(third.stdout).toContain('20 lines: 20 succeeded, 0 failed (20 from an earlier run)');
    expect(billedPrompts()).toHaveLength(20);
  });

  it('shows what may have been billed apart from what was spent, and --resend-possibly-billed sends it again', async () => {
    await manifest('oxen:qwen-image-edit');
    // Line 3's enqueue is accepted and billed, then its connection drops before the answer, and Oxen's
    // records, where the provider would find it again, cannot be read.
    oxen.setFaults([
      { route: 'POST /api/ai/queue', kind: 'reset-after-body', after: 2, times: 1 },
      { route: 'GET /api/ai/generations', kind: 'status', status: 500 },
    ]);
    const argv = ['batch', 'manifest.jsonl', '--out', 'out', '--concurrency', '1'];
    const first = await run(argv, { cwd, env: env() });
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('20 lines: 19 succeeded, 1 failed');
    expect(first.stdout).toMatch(/spent \$0\.5700 .*· ~\$0\.0300 possibly billed/);
    const summary = await results();
    expect(summary.summary).toMatchObject({ totalCostUsd: 0.57, possiblyBilledUsd: 0.03 });
    expect(summary.runs[2]).toMatchObject({ status: 'failed', possiblyBilledUsd: 0.03 });
    expect(await readFile(join(cwd, 'out', 'report.html'), 'utf8')).toContain('~$0.0300 possibly billed');
    expect(billedPrompts()).toHaveLength(20);
    // --retry-failed never pays twice for one result: a line whose answer was lost is left alone.
    const retried = await run([...argv, '--retry-failed'], { cwd, env: env() });
    expect(retried.code).toBe(1);
    expect(billedPrompts()).toHaveLength(20);

    const resent = await run([...argv, '--resend-possibly-billed'], { cwd, env: env() });
    expect(resent.code).toBe(0);
    expect(billedPrompts()).toHaveLength(21);
    expect(billedPrompts().at(-1)).toBe('edit 3');
    // The first send stays possibly billed: it may have been paid for too.
    expect(resent.stdout).toMatch(/spent \$0\.6000 .*· ~\$0\.0300 possibly billed/);
  });

  it('a rerun a day later counts the runs, not the day, in its wall time', async () => {
    await manifest('oxen:qwen-image-edit');
    const argv = ['batch', 'manifest.jsonl', '--out', 'out', '--json'];
    expect((await run(argv, { cwd, env: env() })).code).toBe(0);
    // As if the first run had happened a day ago.
    const day = 86_400_000;
    const path = join(cwd, 'out', 'journal.jsonl');
    const records = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; at?: number; entry?: { updatedAt: number } });
    const times = records.map((record) => record.at ?? record.entry!.updatedAt);
    const firstRunMs = Math.max(...times) - records.find((record) => record.type === 'start')!.at!;
    for (const record of records) {
      if (record.at !== undefined) record.at -= day;
      if (record.entry) record.entry.updatedAt -= day;
    }
    await writeFile(path, `${records.map((record) => JSON.stringify(record)).join('\n')}\n`);
    const again = await run(argv, { cwd, env: env() });
    const summary = JSON.parse(again.stdout) as CompareResults;
    expect(summary.summary.succeeded).toBe(20);
    expect(summary.summary.wallTimeMs).toBeLessThan(day / 2);
    expect(summary.summary.wallTimeMs).toBeGreaterThanOrEqual(firstRunMs);
  });

  it('--retry-failed sends a failed line again under a new billing key; an unchanged run sends nothing', async () => {
    await manifest('oxen:qwen-image-edit');
    // Line 7's job is accepted (and billed), then fails at the provider.
    oxen.setFaults([{ route: 'POST /api/ai/queue', kind: 'job-fails', after: 6, times: 1, message: 'boom' }]);
    const argv = ['batch', 'manifest.jsonl', '--out', 'out', '--concurrency', '1'];
    const first = await run(argv, { cwd, env: env() });
    expect(first.stdout).toContain('20 lines: 19 succeeded, 1 failed');
    expect(billedPrompts()).toHaveLength(20);
    expect((await run(argv, { cwd, env: env() })).stdout).toContain('(20 from an earlier run)');
    expect(billedPrompts()).toHaveLength(20);

    const retried = await run([...argv, '--retry-failed'], { cwd, env: env() });
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain('20 lines: 20 succeeded, 0 failed (19 from an earlier run)');
    expect(billedPrompts()).toHaveLength(21);
    const journal = (await readFile(join(cwd, 'out', 'journal.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; billingKey?: string });
    const keys = journal.filter((record) => record.type === 'sent').map((record) => record.billingKey!);
    expect(new Set(keys).size).toBe(21);
    expect(keys.at(-1)).toMatch(/~2$/);
  });
});

describe.skipIf(!hasRedis)('a batch fixed and run again with --redis', { timeout: 60_000 }, () => {
  let redis: RedisServer;
  beforeEach(async () => {
    redis = await startRedisServer();
    cleanups.push(() => redis.stop());
  });

  async function startWorker(extra: string[] = []): Promise<void> {
    await startCliWorker({
      argv: ['--redis', redis.url, '--queue', 'rerun', '--out', join(cwd, 'shared'), ...extra],
      env: env(),
      cwd,
      cleanups,
      ready: 'serving oxen',
    });
  }

  it('runs the fixed line alone: exactly one new billable request', async () => {
    await startWorker(['--resend-possibly-billed']);
    await manifest('oxen:qwen-image-edt');
    const argv = ['batch', 'manifest.jsonl', '--redis', redis.url, '--queue', 'rerun', '--out', 'out'];
    const refused = await run(argv, { cwd, env: env() });
    expect(refused.code).toBe(2);
    expect(billedPrompts()).toHaveLength(0);
    const first = await run([...argv, '--skip-invalid'], { cwd, env: env() });
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('20 lines: 19 succeeded, 1 failed');
    expect(billedPrompts()).toHaveLength(19);

    await manifest('oxen:qwen-image-edit');
    const second = await run(argv, { cwd, env: env() });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('20 lines: 20 succeeded, 0 failed (19 from an earlier run)');
    expect(billedPrompts()).toHaveLength(20);
    expect(billedPrompts().at(-1)).toBe('edit 7');

    // The finished jobs are gone from Redis (removed, or a new Redis): the journal still has them.
    execFileSync('redis-cli', ['-u', redis.url, 'flushall']);
    const third = await run(argv, { cwd, env: env() });
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('20 lines: 20 succeeded, 0 failed (20 from an earlier run)');
    expect(billedPrompts()).toHaveLength(20);
  });

  /**
   * Enqueues line 3's job as a worker leaves it when it dies between marking the edit sent and
   * recording the answer: marked sent at `at`, with no provider job.
   */
  async function markLine3Sent(at: number): Promise<void> {
    const { createHash } = await import('node:crypto');
    const { createEditQueue } = await import('@retouch/queue');
    const { loadManifest } = await import('../src/batch/manifest.ts');
    const loaded = await loadManifest({ path: 'manifest.jsonl', cwd });
    const line3 = loaded.lines[2]!;
    const batchId = createHash('sha256').update(loaded.path).digest('hex').slice(0, 10);
    const jobId = `batch-${batchId}-${line3.key}`;
    const queue = createEditQueue({ connection: redis.url, name: 'rerun' });
    await queue.add(line3.request, { jobId });
    await queue.close();
    const key = `retouch:queue:rerun:${jobId}`;
    const data = JSON.parse(
      execFileSync('redis-cli', ['-u', redis.url, 'hget', key, 'data'], { encoding: 'utf8' }),
    );
    data.sent = { at, worker: 'a-stopped-worker' };
    execFileSync('redis-cli', ['-u', redis.url, 'hset', key, 'data', JSON.stringify(data)]);
  }

  it('--resend-possibly-billed adds a new job for a line a stopped worker may have sent', async () => {
    await manifest('oxen:qwen-image-edit');
    await markLine3Sent(Date.now());
    // Oxen's records, where the taker would look the edit up, cannot be read: it may have been billed.
    oxen.setFaults([{ route: 'GET /api/ai/generations', kind: 'status', status: 500 }]);
    await startWorker();

    const argv = ['batch', 'manifest.jsonl', '--redis', redis.url, '--queue', 'rerun', '--out', 'out'];
    const first = await run(argv, { cwd, env: env() });
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('20 lines: 19 succeeded, 1 failed');
    expect(first.stdout).toMatch(
      /line 3: PossiblyBilledError: .*Run the batch again with --resend-possibly-billed/,
    );
    expect(first.stdout).not.toContain('resendPossiblyBilled');
    expect(billedPrompts()).toHaveLength(19);
    // --retry-failed never pays twice for one result: a line a stopped worker may have sent is left alone.
    const retried = await run([...argv, '--retry-failed'], { cwd, env: env() });
    expect(retried.code).toBe(1);
    expect(billedPrompts()).toHaveLength(19);

    const resent = await run([...argv, '--resend-possibly-billed'], { cwd, env: env() });
    expect(resent.code).toBe(0);
    expect(resent.stdout).toContain('20 lines: 20 succeeded, 0 failed (19 from an earlier run)');
    expect(billedPrompts()).toHaveLength(20);
    expect(billedPrompts().at(-1)).toBe('edit 3');
  });

  it('a line a stopped worker marked sent, that never reached Oxen, is sent once by the worker taking it over', async () => {
    await manifest('oxen:qwen-image-edit');
    // Sent long enough ago that Oxen would list it had it arrived.
    await markLine3Sent(Date.now() - 10_000);
    await startWorker();

    const argv = ['batch', 'manifest.jsonl', '--redis', redis.url, '--queue', 'rerun', '--out', 'out'];
    const first = await run(argv, { cwd, env: env() });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('20 lines: 20 succeeded, 0 failed');
    expect(billedPrompts()).toHaveLength(20);
    expect(billedPrompts().filter((prompt) => prompt === 'edit 3')).toHaveLength(1);
  });

  it('--retry-failed adds a new job for a failed line, as without --redis', async () => {
    await startWorker();
    await manifest('oxen:qwen-image-edit');
    oxen.setFaults([{ route: 'POST /api/ai/queue', kind: 'job-fails', after: 6, times: 1, message: 'boom' }]);
    const argv = ['batch', 'manifest.jsonl', '--redis', redis.url, '--queue', 'rerun', '--out', 'out'];
    const first = await run(argv, { cwd, env: env() });
    expect(first.stdout).toContain('20 lines: 19 succeeded, 1 failed');
    expect((await run(argv, { cwd, env: env() })).stdout).toContain('(20 from an earlier run)');
    expect(billedPrompts()).toHaveLength(20);

    const retried = await run([...argv, '--retry-failed'], { cwd, env: env() });
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain('20 lines: 20 succeeded, 0 failed (19 from an earlier run)');
    expect(billedPrompts()).toHaveLength(21);
  });
});
