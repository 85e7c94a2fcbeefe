import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ExampleWorld,
  exampleNames,
  runExample,
  startExampleWorld,
} from '../../scripts/lib/examples.ts';
import { hasRedisServer, startRedisServer } from '../../scripts/lib/redis-server.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];
const tested = new Set<string>();

let world: ExampleWorld;
let cwd: string;

beforeEach(async () => {
  world = await startExampleWorld();
  cwd = mkdtempSync(join(tmpdir(), 'retouch-example-'));
});

afterEach(async () => {
  await world.close();
  rmSync(cwd, { recursive: true, force: true });
});

async function example(name: string): Promise<string> {
  tested.add(name);
  const result = await runExample({ name, world, cwd });
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  return result.stdout;
}

function isPng(path: string): boolean {
  const bytes = readFileSync(path);
  return PNG_SIGNATURE.every((byte, index) => bytes[index] === byte);
}

describe('examples', { timeout: 60_000 }, () => {
  it('swap-provider edits the same picture on Oxen and on Eden AI by changing the model string', async () => {
    const output = await example('swap-provider');

    expect(output).toMatch(/^oxen:qwen-image-edit: .*oxen-qwen-image-edit\.png, \$0\.0300 \(estimated\)/m);
    expect(output).toMatch(/^edenai:google\/gemini-2\.5-flash-image: .*\.png, \$0\.0390 \(reported\)/m);
    expect(isPng(join(cwd, '.retouch-out/oxen-qwen-image-edit.png'))).toBe(true);
    expect(isPng(join(cwd, '.retouch-out/edenai-google-gemini-2.5-flash-image.png'))).toBe(true);
    expect(world.oxen.billableCount).toBe(1);
    expect(world.edenai.billableCount).toBe(1);
  });

  it('compare-costs estimates for free, then runs each model once and ranks them by cost', async () => {
    const output = await example('compare-costs');

    const rows = output.split('\n').filter((line) => /^(oxen|edenai):/.test(line));
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual([
      'edenai:openai/gpt-image-1-mini',
      'oxen:flux-kontext-dev',
      'oxen:qwen-image-edit',
      'edenai:google/gemini-2.5-flash-image',
      'edenai:openai/gpt-image-2',
    ]);
    expect(output).toMatch(/^oxen:qwen-image-edit\s+\$0\.0300\s+\$0\.0300 \(reported\)/m);
    expect(output).toContain('cheapest: edenai:openai/gpt-image-1-mini at $0.0110 an edit');
    expect(output).toContain('spent in total: $0.1580');
    expect(world.oxen.billableCount).toBe(2);
    expect(world.edenai.billableCount).toBe(3);
  });

  it('compare-what-changed measures each masked edit and ranks the models by what they leaked', async () => {
    const output = await example('compare-what-changed');

    const rows = output.split('\n').filter((line) => /^(oxen|edenai):/.test(line));
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual([
      'edenai:openai/gpt-image-1-mini',
      'oxen:gpt-image-2',
      'oxen:flux-kontext-dev',
    ]);
    // The model that keeps the mask leaks nothing and leaves the hills untouched.
    expect(rows[0]).toMatch(/^edenai:openai\/gpt-image-1-mini\s+\d+\.\d%\s+0\.0%\s+1\.000\s+\$0\.0110/);
    expect(output).toContain('kept the rest best: edenai:openai/gpt-image-1-mini');
    const html = readFileSync(join(cwd, '.retouch-out/compare-what-changed/report.html'), 'utf8');
    expect(html).toContain('diff: changed pixels tinted, mask outlined');
    expect(world.oxen.billableCount).toBe(2);
    expect(world.edenai.billableCount).toBe(1);
  });

  it('batch-under-budget edits 400 of 500 pictures and refuses the rest before sending them', async () => {
    const output = await example('batch-under-budget');

    expect(output).toMatch(/^50\/500 settled/m);
    expect(output).toMatch(/^500\/500 settled, 0 running, \$12\.00 spent$/m);
    expect(output).toContain('400 edited, 100 refused by the budget, 0 failed');
    expect(output).toContain('spent $12.00 of $12.00');
    expect(world.oxen.billableCount).toBe(400);
  });

  it('resume-after-restart collects in a second process the job the first one submitted', async () => {
    const first = await example('resume-after-restart');
    expect(first).toMatch(/^submitted job job_\S+ \(Oxen job [0-9a-f-]{36}\), saved to/m);
    const snapshot = JSON.parse(readFileSync(join(cwd, '.retouch-out/resume-job.json'), 'utf8'));
    expect(snapshot.providerJobId).toMatch(/^[0-9a-f-]{36}$/);

    const second = await example('resume-after-restart');
    expect(second).toContain(`resumed job ${snapshot.id} (Oxen job ${snapshot.providerJobId})`);
    expect(second).toMatch(/^oxen:qwen-image-edit: 1 image, \$0\.0300$/m);
    expect(existsSync(join(cwd, '.retouch-out/resume-job.json'))).toBe(false);
    expect(world.oxen.billableCount).toBe(1);
  });

  it('provider-modes runs the same edit through each Oxen mode and each Eden AI transport', async () => {
    const output = await example('provider-modes');

    for (const label of ['oxen, sse', 'oxen, queue', 'oxen, sync']) {
      expect(output).toMatch(new RegExp(`^${label} +1 image, \\$0\\.0300 \\(estimated\\)`, 'm'));
    }
    for (const label of ['edenai, auto', 'edenai, json \\+ upload', 'edenai, multipart']) {
      expect(output).toMatch(new RegExp(`^${label} +1 image, \\$0\\.0110 \\(reported\\)`, 'm'));
    }
    const oxenRoutes = world.oxen.requests.map((request) => request.route);
    expect(oxenRoutes.filter((route) => route === 'POST /api/ai/images/edit')).toHaveLength(1);
    expect(oxenRoutes.filter((route) => route === 'POST /api/ai/queue')).toHaveLength(2);
    expect(oxenRoutes).toContain('GET /api/events');
    expect(oxenRoutes).toContain('GET /api/ai/queue/:id');
    const edits = world.edenai.requests.filter((request) => request.route === 'POST /v3/images/edits');
    expect(edits.map((request) => request.headers['content-type']?.split(';')[0])).toEqual([
      'multipart/form-data',
      'application/json',
      'multipart/form-data',
    ]);
    expect(world.edenai.requests.filter((request) => request.route === 'POST /v3/upload')).toHaveLength(1);
    expect(world.oxen.billableCount).toBe(3);
    expect(world.edenai.billableCount).toBe(3);
  });

  it('custom-adapter edits through a provider added with an adapter, and through a bundled one', async () => {
    const output = await example('custom-adapter');

    expect(output).toContain('estimate: $0.012');
    expect(output).toContain('pixelsmith:sketch-1: 1 image, $0.012 (reported)');
    expect(output).toContain('warning: sketch-1 has no seed option; it was not sent');
    expect(output).toContain('Pixelsmith received 2 edit requests, the first one refused with 429');
    expect(output).toContain('oxen:qwen-image-edit: 1 image, $0.03 (estimated)');
    expect(world.oxen.billableCount).toBe(1);
  });

  it('compare-with-ai-sdk ranks Oxen, Eden AI and OpenAI reached through the AI SDK, then edits through generateImage', async () => {
    const output = await example('compare-with-ai-sdk');

    const rows = output.split('\n').filter((line) => /^(oxen|edenai|openai):/.test(line));
    expect(rows.map((row) => row.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'oxen:qwen-image-edit $0.0300 (estimated)',
      'edenai:openai/gpt-image-1 $0.0420 (reported)',
      'openai:gpt-image-1 $0.0420 (estimated)',
    ]);
    expect(output).toContain('spent in total: $0.1140 of the $1 budget');
    expect(output).toContain('generateImage via Retouch: 1 image, $0.0300 (estimated)');
    // Oxen's advice about the inline picture comes back from generateImage as an AI SDK warning.
    expect(output).toMatch(/^ {2}warning: 1 local image was sent inline/m);
    for (const name of ['oxen-qwen-image-edit', 'edenai-openai-gpt-image-1', 'openai-gpt-image-1']) {
      expect(isPng(join(cwd, `.retouch-out/compare-with-ai-sdk/${name}.png`))).toBe(true);
    }
    const edit = world.openai.requests.find((request) => request.route === 'POST /v1/images/edits');
    expect(edit?.body).toMatchObject({
      fields: { model: 'gpt-image-1', prompt: 'Add a red hot-air balloon in the sky' },
    });
    expect(world.openai.billableCount).toBe(1);
    expect(world.edenai.billableCount).toBe(1);
    expect(world.oxen.billableCount).toBe(2);
  });
  it.skipIf(!hasRedisServer)(
    'scaling-out runs 24 edits on three workers that share one rate limit and one budget through Redis',
    async () => {
      tested.add('scaling-out');
      const redis = await startRedisServer();
      try {
        const result = await runExample({ name: 'scaling-out', world, cwd, env: { REDIS_URL: redis.url } });
        expect(result.stderr).toBe('');
        expect(result.exitCode).toBe(0);
        expect(result.stdout).toMatch(/^24 edits done by [123] workers, \$0\.9360 in total$/m);
        expect(result.stdout).toMatch(
          /^budget: \$0\.9360 spent, ~\$0\.0000 possibly billed, of \$2\.00; peak \$\d\.\d{4}$/m,
        );
        const output = /^first output: (.+)$/m.exec(result.stdout)![1]!;
        expect(isPng(output)).toBe(true);
        // Three workers, one account: no 429, and each edit paid for once.
        expect(world.edenai.counters.rateLimited).toBe(0);
        expect(world.edenai.billableCount).toBe(24);
      } finally {
        await redis.stop();
      }
    },
  );

  it('covers every example in examples/', () => {
    // Examples that need Redis count as covered where redis-server is missing: CI installs it.
    if (!hasRedisServer) tested.add('scaling-out');
    expect(exampleNames().filter((name) => !tested.has(name))).toEqual([]);
  });
});
