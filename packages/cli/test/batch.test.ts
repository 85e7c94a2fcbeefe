import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
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
import { until } from '../../../scripts/lib/until.ts';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { spawnCli } from './support/cli-process.ts';
import { startCliWorker } from './support/cli-worker.ts';
import { run } from './support/io.ts';

let cwd: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'retouch-batch-'));
  await copyFile(SAMPLE_IMAGE_PATH, join(cwd, 'photo.png'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await rm(cwd, { recursive: true, force: true });
});

/** A manifest of `count` edits of photo.png, alternating two models unless one is given. */
async function manifest(
  count: number,
  models = ['oxen:qwen-image-edit', 'edenai:google/gemini-2.5-flash-image'],
) {
  const lines = Array.from({ length: count }, (_, index) =>
    JSON.stringify({
      model: models[index % models.length],
      prompt: `edit ${index + 1}`,
      images: ['photo.png'],
    }),
  );
  await writeFile(join(cwd, 'manifest.jsonl'), `${lines.join('\n')}\n`);
}

async function results(out = 'out'): Promise<CompareResults> {
  return JSON.parse(await readFile(join(cwd, out, 'results.json'), 'utf8')) as CompareResults;
}

/** Runs `retouch` as its own process (so it can be killed), against a simulator of this process. */
function spawnBatch(argv: string[], env: Record<string, string>) {
  return spawnCli({ cwd, argv, env, cleanups });
}

async function journal(out = 'out'): Promise<{ type: string; line?: number }[]> {
  const text = await readFile(join(cwd, out, 'journal.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as { type: string; line?: number }];
      } catch {
        return [];
      }
    });
}

describe('retouch batch', { timeout: 60_000 }, () => {
  it('runs every line, saves the outputs, and writes a journal, the table and a report of every line', async () => {
    await manifest(4);
    const result = await run(['batch', 'manifest.jsonl', '--simulate', '--out', 'out'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Running 4 edits');
    expect(result.stdout).toContain('4 lines: 4 succeeded, 0 failed');
    expect(result.stdout).toMatch(/^oxen:qwen-image-edit +oxen +sse +ok 2\/2/m);
    const summary = await results();
    expect(summary.batch).toMatchObject({ lines: 4, fromEarlierRuns: 0, ranIn: 'here' });
    expect(summary.runs.map((entry) => [entry.repeat, entry.status, entry.prompt])).toEqual([
      [1, 'succeeded', 'edit 1'],
      [2, 'succeeded', 'edit 2'],
      [3, 'succeeded', 'edit 3'],
      [4, 'succeeded', 'edit 4'],
    ]);
    expect(summary.runs[0]!.images[0]!.file).toBe('outputs/line-1-1.png');
    const report = await readFile(join(cwd, 'out', 'report.html'), 'utf8');
    expect(report).toContain('Every line');
    for (const line of [1, 2, 3, 4]) expect(report).toContain(`outputs/line-${line}-1.png`);
    // Each line's row shows its input beside its output; one picture used by every line is copied once.
    expect(summary.runs.map((entry) => entry.input)).toEqual(
      Array(4).fill({ file: 'inputs/input-1.png', mediaType: 'image/png' }),
    );
    expect(report).toContain('alt="line 1, input"');
    expect((await stat(join(cwd, 'out', 'inputs', 'input-1.png'))).size).toBeGreaterThan(0);
    const records = await journal();
    expect(records.filter((record) => record.type === 'done')).toHaveLength(4);
    expect(records.filter((record) => record.type === 'sent')).toHaveLength(4);
    // Oxen's lines ran as provider jobs: their snapshots were journaled before the wait.
    // (In the order Oxen accepted them, which two concurrent jobs do not fix.)
    expect(
      records
        .filter((record) => record.type === 'accepted')
        .map((record) => record.line)
        .sort(),
    ).toEqual([1, 3]);

    const again = await run(['batch', 'manifest.jsonl', '--simulate', '--out', 'out'], { cwd });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('4 lines: 4 succeeded, 0 failed (4 from an earlier run)');
  });

  it('refuses a bad manifest before anything is sent, naming file, line, field and fix', async () => {
    await writeFile(
      join(cwd, 'manifest.jsonl'),
      [
        JSON.stringify({ model: 'oxen:qwen-image-edit', prompt: 'fine', images: ['photo.png'] }),
        '{ not json',
        JSON.stringify({ model: 'oxen:qwen-image-edit', prompt: 'x', images: ['missing.png'] }),
        JSON.stringify({ model: 'acme:model', prompt: 'x', images: ['photo.png'] }),
        JSON.stringify({
          model: 'oxen:qwen-image-edit',
          prompt: 'x',
          images: ['photo.png'],
          aspect_ratio: '1:1',
        }),
      ].join('\n'),
    );
    const result = await run(['batch', 'manifest.jsonl', '--simulate'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the manifest has 4 problems; nothing was sent');
    expect(result.stderr).toContain('manifest.jsonl:2: not valid JSON');
    expect(result.stderr).toMatch(/manifest\.jsonl:3: images\.0: no readable file at ".*missing\.png"/);
    expect(result.stderr).toContain('manifest.jsonl:4: model: unknown provider "acme"');
    expect(result.stderr).toContain(
      'manifest.jsonl:5: aspect_ratio: unknown option "aspect_ratio"; did you mean "aspectRatio"?',
    );
    const missing = await run(['batch', 'nope.jsonl', '--simulate'], { cwd });
    expect(missing.stderr).toContain('nope.jsonl: no such file');
    expect((await run(['batch', '--simulate'], { cwd })).stderr).toContain('the manifest is required');
    expect(
      (await run(['batch', 'a.jsonl', '--redis', 'redis://x', '--budget-usd', '1'], { cwd })).stderr,
    ).toContain('--budget-usd applies where the edits run');
  });

  it('a line sent without its answer recorded fails as possibly billed; a changed line is a new edit', async () => {
    await manifest(2, ['oxen:qwen-image-edit']);
    const first = await run(['batch', 'manifest.jsonl', '--simulate', '--out', 'out'], { cwd });
    expect(first.code).toBe(0);
    // As if a crash had struck between sending line 3 and recording the provider's answer (the record
    // as an earlier version wrote it, by line number and text hash).
    await manifest(3, ['oxen:qwen-image-edit']);
    const lines = (await readFile(join(cwd, 'manifest.jsonl'), 'utf8')).split('\n');
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(lines[2]!.trim()).digest('hex').slice(0, 16);
    await writeFile(
      join(cwd, 'out', 'journal.jsonl'),
      `${await readFile(join(cwd, 'out', 'journal.jsonl'), 'utf8')}${JSON.stringify({ type: 'sent', line: 3, hash, at: Date.now() })}\n{"type":"don`,
    );
    const second = await run(['batch', 'manifest.jsonl', '--simulate', '--out', 'out'], { cwd });
    expect(second.code).toBe(1);
    expect(second.stdout).toContain('3 lines: 2 succeeded, 1 failed');
    expect(second.stdout).toMatch(/line 3: PossiblyBilledError: an earlier run stopped after sending line 3/);
    expect(second.stdout).toContain('Run the batch again with --resend-possibly-billed');
    expect((await results()).runs.map((entry) => entry.status)).toEqual(['succeeded', 'succeeded', 'failed']);

    // Running again changes nothing; the flag the error names sends the line again.
    const again = await run(['batch', 'manifest.jsonl', '--simulate', '--out', 'out'], { cwd });
    expect(again.stdout).toContain('3 lines: 2 succeeded, 1 failed (3 from an earlier run)');
    const resent = await run(
      ['batch', 'manifest.jsonl', '--simulate', '--out', 'out', '--resend-possibly-billed'],
      { cwd },
    );
    expect(resent.code).toBe(0);
    expect(resent.stdout).toContain('3 lines: 3 succeeded, 0 failed (2 from an earlier run)');

    await writeFile(
      join(cwd, 'manifest.jsonl'),
      lines.map((line) => line.replace('edit 2', 'edit two')).join('\n'),
    );
    const changed = await run(['batch', 'manifest.jsonl', '--simulate', '--out', 'out'], { cwd });
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain('3 lines: 3 succeeded, 0 failed (2 from an earlier run)');
    expect((await results()).runs.map((entry) => entry.prompt)).toEqual(['edit 1', 'edit two', 'edit 3']);
  });
});

describe('retouch batch after a crash or Ctrl-C', { timeout: 90_000 }, () => {
  let oxen: OxenSimulator;
  beforeEach(async () => {
    oxen = await startOxenSimulator({ jobSchedule: { queuedMs: 0, processingMs: 600 } });
    cleanups.push(() => oxen.close());
  });
  const env = () => ({ OXEN_API_KEY: oxen.apiKey, OXEN_BASE_URL: oxen.url });

  it('killed mid-run (kill -9) and run again, finishes the rest and pays for every line once', async () => {
    await manifest(10, ['oxen:qwen-image-edit']);
    const argv = ['batch', 'manifest.jsonl', '--out', 'out', '--oxen-mode', 'queue', '--concurrency', '3'];
    const first = spawnBatch(argv, env());
    // Killed while some lines wait on accepted provider jobs and none is between sending and
    // journaling the provider's answer (a line killed there would rightly fail as possibly billed).
    await until(async () => {
      const state = new Map<number, string>();
      for (const record of await journal())
        if (record.line !== undefined) state.set(record.line, record.type);
      const states = [...state.values()];
      return (
        states.filter((type) => type === 'done').length >= 2 &&
        states.includes('accepted') &&
        !states.includes('sent')
      );
    });
    first.child.kill('SIGKILL');
    await first.exited;
    const billedAtCrash = oxen.billableCount;
    expect(billedAtCrash).toBeLessThan(10);

    const second = spawnBatch(argv, env());
    const code = await second.exited;
    const summary = await results();
    // Every line is in the report: done, resumed from its provider job, or (killed between sending it
    // and journaling the provider's answer) failed as possibly billed, never sent a second time.
    expect(summary.runs.map((entry) => entry.repeat)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const failures = summary.runs.filter((entry) => entry.status === 'failed');
    for (const failure of failures) expect(failure.error?.name).toBe('PossiblyBilledError');
    expect(code).toBe(failures.length === 0 ? 0 : 1);
    expect(second.output().stdout).toMatch(
      /10 lines: \d+ succeeded, \d+ failed \(\d+ from an earlier run, \d+ resumed\)/,
    );
    expect(summary.batch?.resumed).toBeGreaterThanOrEqual(1);
    // No line was paid for twice: each prompt reached the provider's billable route once at most.
    const billed = oxen.requests
      .filter((request) => request.billable)
      .map((request) => (request.body as { prompt: string }).prompt);
    expect(new Set(billed).size).toBe(billed.length);
    expect(billed).toHaveLength(
      10 - failures.length + failures.filter((failure) => billed.includes(failure.prompt!)).length,
    );
  });

  it('stopped with Ctrl-C, leaves accepted jobs running, exits 130, and the same command finishes', async () => {
    await manifest(6, ['oxen:qwen-image-edit']);
    const argv = ['batch', 'manifest.jsonl', '--out', 'out', '--oxen-mode', 'queue', '--concurrency', '2'];
    const first = spawnBatch(argv, env());
    await until(async () => (await journal()).some((record) => record.type === 'accepted'));
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(130);
    expect(first.output().stderr).toContain('Stopping: no new edits start');
    expect(first.output().stdout).toContain('not finished');
    // Nothing was cancelled on the provider: accepted jobs are left for the next run.
    expect(oxen.requests.filter((request) => request.method === 'DELETE')).toEqual([]);

    const second = spawnBatch(argv, env());
    expect(await second.exited).toBe(0);
    expect(second.output().stdout).toContain('6 lines: 6 succeeded, 0 failed');
    expect(oxen.billableCount).toBe(6);
  });
});

describe.skipIf(!hasRedis)('retouch batch --redis with retouch worker', { timeout: 60_000 }, () => {
  let redis: RedisServer;
  beforeEach(async () => {
    redis = await startRedisServer();
    cleanups.push(() => redis.stop());
  });

  it('enqueues every line, a worker runs them, and the batch follows them into the same report', async () => {
    await manifest(4);
    const { stderr: workerErr, stop: stopWorker } = await startCliWorker({
      argv: [
        '--redis',
        redis.url,
        '--simulate',
        '--queue',
        'cli-test',
        '--out',
        join(cwd, 'shared'),
        '--concurrency',
        '2',
      ],
      env: {},
      cwd,
      cleanups,
      ready: 'serving oxen and edenai (simulated)',
    });

    const result = await run(
      ['batch', 'manifest.jsonl', '--redis', redis.url, '--queue', 'cli-test', '--out', 'out'],
      {
        cwd,
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('4 lines: 4 succeeded, 0 failed');
    const summary = await results();
    expect(summary.batch).toMatchObject({ lines: 4, ranIn: 'queue' });
    expect(summary.runs.map((entry) => entry.images[0]?.file)).toEqual(
      [1, 2, 3, 4].map((line) => `outputs/line-${line}-1.png`),
    );

    // Run again: the same job ids, so nothing is added and the finished jobs are read back.
    const again = await run(
      ['batch', 'manifest.jsonl', '--redis', redis.url, '--queue', 'cli-test', '--out', 'out'],
      {
        cwd,
      },
    );
    expect(again.stdout).toContain('4 lines: 4 succeeded, 0 failed (4 from an earlier run)');

    expect(await stopWorker()).toBe(0);
    expect(workerErr.text).toContain('stopped: 4 completed, 0 failed');
    // Money apart: what was settled, and possibly billed only when something may have been.
    expect(workerErr.text).toMatch(/stopped: .* handed back · spent \$[\d.]+$/m);
    expect(workerErr.text.match(/ done in /g)).toHaveLength(4);
  });

  it('retouch worker checks its options and config before connecting', async () => {
    await writeFile(
      join(cwd, 'worker.json'),
      JSON.stringify({ redis: redis.url, limits: { edenai: { requestsPerSecond: -1 } } }),
    );
    const bad = await run(['worker', '--config', 'worker.json', '--simulate'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('worker.json: limits.edenai.requestsPerSecond must be a number > 0');
    const keyless = await run(['worker', '--redis', redis.url], { cwd });
    expect(keyless.stderr).toContain('no provider to serve: export OXEN_API_KEY or EDENAI_API_KEY');
    const noRedis = await run(['worker', '--simulate'], { cwd });
    expect(noRedis.stderr).toContain('--redis <url> is required');
  });
});
