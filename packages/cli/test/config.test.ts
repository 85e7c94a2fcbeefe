import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompareResults } from '@retouch/compare';
import { describe, expect, it } from 'vitest';
import { loadCompareConfig, parseCompareConfig } from '../src/config.ts';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { UsageError } from '../src/usage-error.ts';
import { run, temporaryDirectory } from './support/io.ts';

const parse = (value: unknown) => parseCompareConfig({ value, name: 'compare.json', directory: '/configs' });

function problem(value: unknown): string {
  try {
    parse(value);
  } catch (error) {
    expect(UsageError.isInstance(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('compare config', () => {
  it('reads models as strings or objects, and resolves paths against the file', () => {
    expect(
      parse({
        models: [
          'oxen:qwen-image-edit',
          {
            model: 'oxen:gpt-image-2',
            label: 'gpt (sse)',
            mode: 'sse',
            providerOptions: { oxen: { quality: 'low' } },
          },
        ],
        prompt: 'Add a moon',
        image: 'pictures/in.png',
        mask: 'https://example.com/mask.png',
        repeat: 3,
        budgetUsd: 0.5,
        limits: { edenai: { concurrency: 2, requestsPerSecond: 5 } },
        out: 'report',
      }),
    ).toEqual({
      models: [
        { model: 'oxen:qwen-image-edit' },
        {
          model: 'oxen:gpt-image-2',
          label: 'gpt (sse)',
          mode: 'sse',
          providerOptions: { oxen: { quality: 'low' } },
        },
      ],
      prompt: 'Add a moon',
      images: ['/configs/pictures/in.png'],
      mask: 'https://example.com/mask.png',
      repeat: 3,
      budgetUsd: 0.5,
      limits: { edenai: { concurrency: 2, requestsPerSecond: 5 } },
      out: '/configs/report',
    });
  });

  it.each([
    [[], 'compare.json: must hold a JSON object'],
    [{}, 'compare.json: models must be a non-empty array'],
    [{ models: ['oxen:a'], promt: 'x' }, 'compare.json: has an unknown key "promt"'],
    [{ models: ['qwen'] }, '"qwen" is not a model id'],
    [
      { models: [{ model: 'oxen:a', mode: 'json' }] },
      'compare.json: models[0].mode must be one of sync, queue, sse for oxen',
    ],
    [{ models: [{ model: 'oxen:a', labl: 'x' }] }, 'compare.json: models[0] has an unknown key "labl"'],
    [
      { models: [{ model: 'oxen:a', providerOptions: { oxen: 3 } }] },
      'models[0].providerOptions must be an object keyed by provider',
    ],
    [{ models: ['oxen:a'], repeat: 0 }, 'compare.json: repeat must be a whole number from 1 to 100'],
    [{ models: ['oxen:a'], budgetUsd: '1' }, 'compare.json: budgetUsd must be a positive number'],
    [{ models: ['oxen:a'], image: 'a.png', images: ['b.png'] }, 'has both "image" and "images"'],
    [{ models: ['oxen:a'], limits: { fal: {} } }, 'compare.json: limits.fal names no provider'],
    [
      { models: ['oxen:a'], limits: { oxen: { concurrency: 0 } } },
      'limits.oxen.concurrency must be a whole number ≥ 1',
    ],
    [{ models: ['oxen:a'], limits: { oxen: { rps: 1 } } }, 'limits.oxen has an unknown key "rps"'],
    // The neutral options and the limits are checked by core's rules, with core's messages.
    [{ models: ['oxen:a'], size: '1024' }, 'compare.json: size must be "WxH" such as "1024x1024", or "auto"'],
    // "jpg" is taken for "jpeg", as --output-format takes it; other names are refused.
    [{ models: ['oxen:a'], outputFormat: 'gif' }, 'outputFormat must be one of "png", "jpeg", "webp"'],
    [{ models: ['oxen:a'], seed: -1 }, 'compare.json: seed must be 0 or more'],
    [
      { models: ['oxen:a'], limits: { oxen: { requestsPerSecond: 0 } } },
      'limits.oxen.requestsPerSecond must be a number > 0; omit it to let the lane adapt',
    ],
  ])('refuses %j', (value, message) => {
    expect(problem(value)).toContain(message);
  });

  it('names a missing or malformed file', async () => {
    const directory = await temporaryDirectory();
    await expect(loadCompareConfig({ path: 'nope.json', cwd: directory })).rejects.toThrow(
      '--config nope.json: no such file',
    );
    await writeFile(join(directory, 'bad.json'), '{ models: [] }');
    await expect(loadCompareConfig({ path: 'bad.json', cwd: directory })).rejects.toThrow(
      /--config bad\.json: not valid JSON/,
    );
  });

  it('drives a comparison, with flags taking precedence over the file', async () => {
    const cwd = await temporaryDirectory();
    await mkdir(join(cwd, 'configs'));
    await writeFile(
      join(cwd, 'configs', 'compare.json'),
      JSON.stringify({
        models: [
          { model: 'oxen:qwen-image-edit', label: 'qwen, sync', mode: 'sync' },
          { model: 'oxen:qwen-image-edit', label: 'qwen, queue', mode: 'queue' },
          'edenai:openai/gpt-image-1-mini',
        ],
        prompt: 'from the file',
        image: SAMPLE_IMAGE_PATH,
        repeat: 2,
        limits: { oxen: { concurrency: 2 } },
        out: 'out',
      }),
    );
    const result = await run(
      [
        'compare',
        '--simulate',
        '--json',
        '--config',
        'configs/compare.json',
        '--repeat',
        '1',
        '-p',
        'from the flag',
      ],
      { cwd },
    );
    expect(result.code).toBe(0);
    const results = JSON.parse(result.stdout) as CompareResults;
    expect(results.prompt).toBe('from the flag');
    expect(results.options.repeat).toBe(1);
    expect(results.rows.map((row) => [row.label, row.mode, row.status])).toEqual([
      ['qwen, sync', 'sync', 'succeeded'],
      ['qwen, queue', 'queue', 'succeeded'],
      ['edenai:openai/gpt-image-1-mini', 'auto', 'succeeded'],
    ]);
    expect(results.runs[0]!.images[0]!.file).toBe('outputs/qwen-sync/run-1-1.png');
    // Each entry's mode is the path its edit took: the sync one made no provider job, the queued one did.
    expect(results.runs[0]!.jobId).toBeUndefined();
    expect(results.runs[1]!.jobId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
