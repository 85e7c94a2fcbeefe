import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OxenSimulator, startOxenSimulator } from '@retouch/simulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  hasRedisServer as hasRedis,
  type RedisServer,
  startRedisServer,
} from '../../../scripts/lib/redis-server.ts';
import type { LedgerReport } from '../src/ledger/present-ledger.ts';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { startCliWorker } from './support/cli-worker.ts';
import { run } from './support/io.ts';

let cwd: string;
let oxen: OxenSimulator;
const cleanups: (() => Promise<unknown>)[] = [];
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'retouch-ledger-queue-'));
  await copyFile(SAMPLE_IMAGE_PATH, join(cwd, 'photo.png'));
  oxen = await startOxenSimulator({ jobSchedule: { queuedMs: 0, processingMs: 20 } });
  cleanups.push(() => oxen.close());
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await rm(cwd, { recursive: true, force: true });
});

const env = () => ({ OXEN_API_KEY: oxen.apiKey, OXEN_BASE_URL: oxen.url });

describe.skipIf(!hasRedis)("retouch ledger --redis: a queue's shared ledger", { timeout: 60_000 }, () => {
  let redis: RedisServer;
  beforeEach(async () => {
    redis = await startRedisServer();
    cleanups.push(() => redis.stop());
  });

  it('matches what the workers settled, and names the edit Oxen billed that was never delivered', async () => {
    await startCliWorker({
      argv: [
        '--redis',
        redis.url,
        '--queue',
        'ledger',
        '--out',
        join(cwd, 'shared'),
        '--budget-usd',
        '5',
        '--concurrency',
        '1',
      ],
      env: env(),
      cwd,
      cleanups,
      ready: 'serving oxen',
    });
    const lines = [1, 2, 3].map((line) =>
      JSON.stringify({ model: 'oxen:qwen-image-edit', prompt: `edit ${line}`, images: ['photo.png'] }),
    );
    await writeFile(join(cwd, 'manifest.jsonl'), `${lines.join('\n')}\n`);
    // The second enqueue is billed, then its connection drops, and Oxen's records cannot be read while
    // the batch runs: that job fails as possibly billed.
    oxen.setFaults([
      { route: 'POST /api/ai/queue', kind: 'reset-after-body', after: 1, times: 1 },
      { route: 'GET /api/ai/generations', kind: 'status', status: 500 },
    ]);
    const batch = ['batch', 'manifest.jsonl', '--redis', redis.url, '--queue', 'ledger', '--out', 'out'];
    const first = await run(batch, { cwd, env: env() });
    expect(first.stdout, first.stderr).toContain('3 lines: 2 succeeded, 1 failed');
    oxen.setFaults([]);
    expect(oxen.billableCount).toBe(3);
    const before = oxen.requests.length;

    const check = await run(['ledger', '--redis', redis.url, '--queue', 'ledger', '--json'], {
      cwd,
      env: env(),
    });
    expect(check.code).toBe(1);
    const report = JSON.parse(check.stdout) as LedgerReport;
    expect(report.matched).toHaveLength(2);
    expect(report.orphans).toHaveLength(1);
    expect(report.orphans[0]).toMatchObject({ status: 'succeeded', costUsd: 0.03 });
    expect(report.ledger).toEqual({ settledUsd: 0.06, possiblyBilledUsd: 0.03 });
    expect(report.providerBilledUsd).toBe(0.09);
    // Only Oxen's listings were read: nothing billable.
    expect(oxen.requests.slice(before).every((request) => !request.billable)).toBe(true);

    const plain = await run(['ledger', '--redis', redis.url, '--queue', 'ledger'], { cwd, env: env() });
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/orphan +\S+ +\$0\.0300 billed, never delivered/);
    expect(plain.stdout).toContain('Oxen billed $0.0900 for the queue');
  });

  it('refuses --recover with --redis, and --out with --redis, before reading anything', async () => {
    const recover = await run(['ledger', '--redis', redis.url, '--recover'], { cwd, env: env() });
    expect(recover.code).toBe(2);
    expect(recover.stderr).toContain("--recover downloads into a batch's --out");
    const both = await run(['ledger', '--redis', redis.url, '--out', 'out'], { cwd, env: env() });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
    expect(oxen.requests).toEqual([]);
  });
});
