import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompareResults } from '@retouch/compare';
import { type OpenAISimulator, type RecordedMultipartBody, startOpenAISimulator } from '@retouch/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCompareConfig } from '../src/config.ts';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { run, temporaryDirectory } from './support/io.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
// The providers module the guides show, so their code runs here.
const openaiModule = fileURLToPath(new URL('../../../examples/openai-providers.mjs', import.meta.url));

let openai: OpenAISimulator | undefined;
afterEach(async () => {
  await openai?.close();
  openai = undefined;
});

async function writeConfig(config: Record<string, unknown>): Promise<string> {
  const cwd = await temporaryDirectory();
  await writeFile(
    join(cwd, 'compare.json'),
    JSON.stringify({ prompt: 'Add a red balloon', image: SAMPLE_IMAGE_PATH, out: 'out', ...config }),
  );
  return cwd;
}

describe('compare config: providers modules', () => {
  it('resolves module paths against the file and lets models and limits name the providers they give', () => {
    const config = parseCompareConfig({
      value: {
        providers: './providers.mjs',
        models: ['openai:gpt-image-1', 'oxen:qwen-image-edit'],
        limits: { openai: { requestsPerSecond: 1 } },
      },
      name: 'compare.json',
      directory: '/configs',
    });
    expect(config.providers).toEqual(['/configs/providers.mjs']);
    expect(config.models.map((entry) => entry.model)).toEqual(['openai:gpt-image-1', 'oxen:qwen-image-edit']);
    expect(config.limits).toEqual({ openai: { requestsPerSecond: 1 } });
  });

  it.each([
    [
      { providers: [], models: ['oxen:a'] },
      'compare.json: providers must be a module path or an array of them',
    ],
    [{ models: ['openai:gpt-image-1'] }, 'unknown provider "openai" in "openai:gpt-image-1"'],
    [
      { providers: './p.mjs', models: [{ model: 'openai:x', mode: 'sync' }] },
      'models[0].mode is for the bundled providers',
    ],
  ])('refuses %j', (value, message) => {
    expect(() => parseCompareConfig({ value, name: 'compare.json', directory: '/configs' })).toThrow(message);
  });
});

describe('retouch compare with an AI SDK model from a providers module', () => {
  it('puts OpenAI direct (through @ai-sdk/openai) next to Oxen and Eden AI, and the OpenAI edit goes over the wire', async () => {
    openai = await startOpenAISimulator();
    const cwd = await writeConfig({
      providers: openaiModule,
      models: [
        'oxen:qwen-image-edit',
        'edenai:openai/gpt-image-1-mini',
        { model: 'openai:gpt-image-1', label: 'OpenAI direct' },
      ],
      limits: { openai: { concurrency: 1 } },
    });
    const result = await run(['compare', '--simulate', '--json', '--config', 'compare.json'], {
      cwd,
      env: { OPENAI_BASE_URL: `${openai.url}/v1`, OPENAI_API_KEY: openai.apiKey },
    });
    expect(result.stderr).not.toContain('Error');
    expect(result.code).toBe(0);
    const results = JSON.parse(result.stdout) as CompareResults;
    expect(
      results.rows.map((row) => [row.label, row.provider, row.mode, row.status, row.costSource]),
    ).toEqual([
      ['oxen:qwen-image-edit', 'oxen', 'sse', 'succeeded', 'estimated'],
      ['edenai:openai/gpt-image-1-mini', 'edenai', 'auto', 'succeeded', 'reported'],
      ['OpenAI direct', 'openai', 'plugin', 'succeeded', 'estimated'],
    ]);
    expect(results.rows[2]!.costPerEditUsd).toBe(0.042);
    const [edit] = openai.requests.filter((request) => request.route === 'POST /v1/images/edits');
    expect((edit!.body as RecordedMultipartBody).fields).toMatchObject({
      model: 'gpt-image-1',
      prompt: 'Add a red balloon',
    });
    expect(openai.billableCount).toBe(1);
  });

  it('lets the module start its own simulator under --simulate, and closes it afterwards', async () => {
    const cwd = await writeConfig({ providers: openaiModule, models: ['openai:gpt-image-1'] });
    const result = await run(['compare', '--simulate', '--json', '--config', 'compare.json'], { cwd });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as CompareResults).rows[0]).toMatchObject({
      status: 'succeeded',
      provider: 'openai',
    });
  });

  it('takes the module’s providers in --models too, when the config names the module', async () => {
    const cwd = await writeConfig({ providers: openaiModule, models: ['edenai:openai/gpt-image-1-mini'] });
    const result = await run(
      ['compare', '--simulate', '--json', '--config', 'compare.json', '--models', 'openai:gpt-image-1'],
      { cwd },
    );
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as CompareResults).rows.map((row) => row.model)).toEqual([
      'openai:gpt-image-1',
    ]);
  });

  it('names the module and the fix for a provider it does not give, a clash with a bundled provider, a broken module', async () => {
    const unknown = await run(['compare', '--simulate', '--config', 'compare.json'], {
      cwd: await writeConfig({ providers: openaiModule, models: ['fal:flux-dev'] }),
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      '"fal:flux-dev" names the provider "fal", which neither the CLI nor openai-providers.mjs gives; the providers are oxen, edenai, openai',
    );
    const clash = await run(['compare', '--simulate', '--config', 'compare.json'], {
      cwd: await writeConfig({
        providers: join(fixtures, 'bad-providers.mjs'),
        models: ['oxen:qwen-image-edit'],
      }),
    });
    expect(clash.stderr).toContain(
      'providers module bad-providers.mjs: gives a provider "oxen", which the CLI already has',
    );
    const missing = await run(['compare', '--simulate', '--config', 'compare.json'], {
      cwd: await writeConfig({ providers: './nope.mjs', models: ['oxen:qwen-image-edit'] }),
    });
    expect(missing.stderr).toContain('providers module nope.mjs: cannot be loaded');
  });
});
