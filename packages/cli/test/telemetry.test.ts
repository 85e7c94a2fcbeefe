import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  hasRedisServer as hasRedis,
  type RedisServer,
  startRedisServer,
} from '../../../scripts/lib/redis-server.ts';
import { until } from '../../../scripts/lib/until.ts';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { run } from './support/io.ts';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
let cwd: string;
const cleanups: (() => Promise<unknown>)[] = [];
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'retouch-metrics-'));
  await copyFile(SAMPLE_IMAGE_PATH, join(cwd, 'photo.png'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await rm(cwd, { recursive: true, force: true });
});

/** A port free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

describe.skipIf(!hasRedis)('retouch worker --metrics-port', { timeout: 60_000 }, () => {
  let redis: RedisServer;
  beforeEach(async () => {
    redis = await startRedisServer();
    cleanups.push(() => redis.stop());
  });

  it('serves the Retouch metrics to Prometheus while it runs', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        '--conditions=@retouch/source',
        bin,
        'worker',
        '--redis',
        redis.url,
        '--simulate',
        '--queue',
        'metrics-test',
        '--out',
        join(cwd, 'shared'),
        '--metrics-port',
        String(port),
      ],
      { cwd, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    await until(() => stderr.includes('serving oxen and edenai (simulated)'));
    expect(stderr).toContain(`metrics: http://localhost:${port}/metrics`);

    const lines = ['oxen:qwen-image-edit', 'edenai:google/gemini-2.5-flash-image'].map((model, index) =>
      JSON.stringify({ model, prompt: `edit ${index + 1}`, images: ['photo.png'] }),
    );
    await writeFile(join(cwd, 'manifest.jsonl'), `${lines.join('\n')}\n`);
    const batch = await run(
      ['batch', 'manifest.jsonl', '--redis', redis.url, '--queue', 'metrics-test', '--out', 'out'],
      { cwd },
    );
    expect(batch.code).toBe(0);

    const response = await fetch(`http://localhost:${port}/metrics`);
    const text = await response.text();
    expect(response.status).toBe(200);
    for (const name of ['retouch_edits', 'retouch_cost', 'retouch_edit_duration', 'retouch_lane_wait']) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/retouch_edits[^\n]*retouch_outcome="succeeded"[^\n]* 1/);
    expect(text).toMatch(/retouch_lane_in_flight/);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

it('retouch worker refuses a --metrics-port that is not a port', async () => {
  const result = await run(['worker', '--redis', 'redis://127.0.0.1:6379', '--metrics-port', '0'], { cwd });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('--metrics-port must be a whole number from 1 to 65535');
});

it('retouch batch sends its traces and metrics to the OTLP endpoint the environment names', async () => {
  const received: { path: string; body: string }[] = [];
  const collector = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(() => new Promise((resolve) => collector.close(resolve)));
  const address = collector.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await writeFile(
    join(cwd, 'manifest.jsonl'),
    `${JSON.stringify({ model: 'oxen:qwen-image-edit', prompt: 'add a hat', images: ['photo.png'] })}\n`,
  );
  const batch = await run(['batch', 'manifest.jsonl', '--simulate', '--out', 'out'], {
    cwd,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
  });
  expect(batch.code).toBe(0);
  const traces = received.filter((entry) => entry.path === '/v1/traces');
  const metrics = received.filter((entry) => entry.path === '/v1/metrics');
  expect(traces.some((entry) => entry.body.includes('retouch.edit'))).toBe(true);
  expect(metrics.some((entry) => entry.body.includes('retouch.edits'))).toBe(true);
});
