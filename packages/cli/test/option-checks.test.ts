import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompareResults } from '@retouch/compare';
import {
  type EdenAISimulator,
  type OxenSimulator,
  startEdenAISimulator,
  startOxenSimulator,
} from '@retouch/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  hasRedisServer as hasRedis,
  type RedisServer,
  startRedisServer,
} from '../../../scripts/lib/redis-server.ts';
import { main } from '../src/main.ts';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { collector, run, temporaryDirectory } from './support/io.ts';

let oxen: OxenSimulator;
let edenai: EdenAISimulator;
beforeAll(async () => {
  oxen = await startOxenSimulator({ jobSchedule: { queuedMs: 0, processingMs: 0 } });
  edenai = await startEdenAISimulator({});
});
afterAll(async () => {
  await oxen.close();
  await edenai.close();
});
beforeEach(() => {
  oxen.clearRequests();
  edenai.clearRequests();
});
const env = () => ({
  OXEN_API_KEY: oxen.apiKey,
  OXEN_BASE_URL: oxen.url,
  EDENAI_API_KEY: edenai.apiKey,
  EDENAI_BASE_URL: edenai.url,
});
/** Every request that could cost money: the simulators' billable ones, and any POST (uploads, edits, enqueues). */
const sent = () =>
  [...oxen.requests, ...edenai.requests].filter((request) => request.billable || request.method === 'POST');

/**
 * Five lines, each model known: lines 1 and 5 are good; line 2 gives FLUX.1-Kontext [dev] 99
 * inference steps (its schema allows 4 to 50), line 3 an output format outside its enum, and line 4
 * an Eden transport that does not exist.
 */
async function manifestWithBadOptions(cwd: string): Promise<void> {
  await copyFile(SAMPLE_IMAGE_PATH, join(cwd, 'photo.png'));
  const line = (model: string, prompt: string, providerOptions?: Record<string, unknown>) =>
    JSON.stringify({ model, prompt, images: ['photo.png'], ...(providerOptions ? { providerOptions } : {}) });
  const lines = [
    line('oxen:qwen-image-edit', 'edit 1'),
    line('oxen:flux-kontext-dev', 'edit 2', { oxen: { num_inference_steps: 99 } }),
    line('oxen:flux-kontext-dev', 'edit 3', { oxen: { output_format: 'gif' } }),
    line('edenai:google/gemini-2.5-flash-image', 'edit 4', { edenai: { transport: 'carrier-pigeon' } }),
    line('edenai:google/gemini-2.5-flash-image', 'edit 5'),
  ];
  await writeFile(join(cwd, 'manifest.jsonl'), `${lines.join('\n')}\n`);
}

describe("retouch batch checks each line's options as the adapters do, before sending anything", {
  timeout: 60_000,
}, () => {
  it('by default sends nothing and names each bad option by line and field, with the fix', async () => {
    const cwd = await temporaryDirectory();
    await manifestWithBadOptions(cwd);
    const result = await run(['batch', 'manifest.jsonl', '--out', 'out'], { cwd, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the manifest has 3 problems; nothing was sent');
    expect(result.stderr).toContain(
      'manifest.jsonl:2: providerOptions.oxen.num_inference_steps: 99 is not a valid flux-kontext-dev num_inference_steps: must be at most 50; change or remove it (retouch models lists',
    );
    expect(result.stderr).toMatch(
      /manifest\.jsonl:3: providerOptions\.oxen\.output_format: "gif" is not a valid flux-kontext-dev output_format: [^\n]*webp[^\n]*; change or remove it/,
    );
    expect(result.stderr).toMatch(/manifest\.jsonl:4: providerOptions\.edenai\.transport: transport must be/);
    expect(result.stderr).toContain('add --skip-invalid to run the other 2 lines');
    expect(sent()).toEqual([]);
    expect(oxen.billableCount + edenai.billableCount).toBe(0);
  });

  it('with --skip-invalid runs the good lines and reports the others as failed, with the fix', async () => {
    const cwd = await temporaryDirectory();
    await manifestWithBadOptions(cwd);
    const result = await run(['batch', 'manifest.jsonl', '--out', 'out', '--skip-invalid'], {
      cwd,
      env: env(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Skipping 3 invalid lines (--skip-invalid), reported as failed: 2, 3, 4');
    expect(result.stdout).toContain('5 lines: 2 succeeded, 3 failed');
    expect(result.stdout).toContain(
      'line 2: InvalidLineError: not sent: providerOptions.oxen.num_inference_steps: 99 is not a valid',
    );
    expect(oxen.billableCount + edenai.billableCount).toBe(2);
    const prompts = sent().map((request) => JSON.stringify(request.body));
    for (const line of [2, 3, 4]) expect(prompts.some((body) => body.includes(`"edit ${line}"`))).toBe(false);
    const results = JSON.parse(await readFile(join(cwd, 'out', 'results.json'), 'utf8')) as CompareResults;
    expect(results.runs.filter((entry) => entry.status === 'failed').map((entry) => entry.repeat)).toEqual([
      2, 3, 4,
    ]);
  });

  describe.skipIf(!hasRedis)('with --redis', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedisServer();
    });
    afterAll(async () => {
      await redis.stop();
    });

    it('refuses the manifest before anything is enqueued when this process has the keys', async () => {
      const cwd = await temporaryDirectory();
      await manifestWithBadOptions(cwd);
      const result = await run(['batch', 'manifest.jsonl', '--out', 'out', '--redis', redis.url], {
        cwd,
        env: env(),
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('the manifest has 3 problems; nothing was sent');
      expect(result.stderr).toContain('manifest.jsonl:2: providerOptions.oxen.num_inference_steps');
      expect(sent()).toEqual([]);
    });

    it('with --skip-invalid enqueues the good lines only and reports the others as failed', async () => {
      const cwd = await temporaryDirectory();
      await manifestWithBadOptions(cwd);
      const stop = new AbortController();
      const workerErr = collector();
      const worker = main(
        ['worker', '--redis', redis.url, '--queue', 'options', '--out', join(cwd, 'shared')],
        {
          stdout: collector(),
          stderr: workerErr,
          env: env(),
          cwd,
          signal: stop.signal,
        },
      );
      try {
        const argv = ['batch', 'manifest.jsonl', '--redis', redis.url, '--queue', 'options', '--out', 'out'];
        const result = await run([...argv, '--skip-invalid'], { cwd, env: env() });
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(
          'Skipping 3 invalid lines (--skip-invalid), reported as failed: 2, 3, 4',
        );
        expect(result.stdout).toContain('5 lines: 2 succeeded, 3 failed');
        expect(oxen.billableCount + edenai.billableCount).toBe(2);
        const prompts = sent().map((request) => JSON.stringify(request.body));
        for (const line of [2, 3, 4])
          expect(prompts.some((body) => body.includes(`"edit ${line}"`))).toBe(false);
      } finally {
        stop.abort();
        await worker;
      }
    });
  });
});

describe("retouch compare checks each model's options before sending any edit", { timeout: 60_000 }, () => {
  it('refuses a model parameter outside its range, naming the model and the field', async () => {
    const cwd = await temporaryDirectory();
    await copyFile(SAMPLE_IMAGE_PATH, join(cwd, 'photo.png'));
    await writeFile(
      join(cwd, 'compare.json'),
      JSON.stringify({
        models: [
          'oxen:qwen-image-edit',
          { model: 'oxen:flux-kontext-dev', providerOptions: { oxen: { num_inference_steps: 2 } } },
        ],
        prompt: 'Add a hat',
        image: 'photo.png',
      }),
    );
    const result = await run(['compare', '--config', 'compare.json', '--out', 'out'], { cwd, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('a model has a bad option; nothing was sent');
    expect(result.stderr).toContain(
      'oxen:flux-kontext-dev: providerOptions.oxen.num_inference_steps: 2 is not a valid flux-kontext-dev num_inference_steps: must be at least 4',
    );
    expect(sent()).toEqual([]);
  });
});

describe('retouch edit checks --option before sending', { timeout: 60_000 }, () => {
  it('refuses a value outside the enum of the model, naming the --option and the fix', async () => {
    const cwd = await temporaryDirectory();
    const result = await run(
      [
        'edit',
        '--model',
        'oxen:flux-kontext-dev',
        '--prompt',
        'Add a hat',
        '--image',
        SAMPLE_IMAGE_PATH,
        '--option',
        'output_format=gif',
      ],
      { cwd, env: env() },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /oxen:flux-kontext-dev: --option output_format: "gif" is not a valid flux-kontext-dev output_format: [^\n]*; change or remove it/,
    );
    expect(sent()).toEqual([]);
  });
});
