import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompareResults } from '@retouch/compare';
import { startOxenSimulator } from '@retouch/simulator';
import { describe, expect, it } from 'vitest';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { run, temporaryDirectory } from './support/io.ts';

describe('retouch edit', () => {
  it('saves the output, prints time, cost and warnings, and exits with 0', async () => {
    const cwd = await temporaryDirectory();
    const result = await run(
      [
        'edit',
        '--simulate',
        '-m',
        'oxen:qwen-image-edit',
        '-p',
        'Make it night',
        '-i',
        SAMPLE_IMAGE_PATH,
        '--out',
        'out',
      ],
      { cwd },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^✔ oxen:qwen-image-edit \(simulated\)\n {2}time {3}\S+ \(queued \S+, running \S+\)\n {2}cost {3}\$0\.0300 \(estimated from prices\)\n/,
    );
    const saved = /saved {2}(out\/qwen-image-edit-\d{8}-\d{6}-1\.png) \(384×256, \d+ KB\)/.exec(
      result.stdout,
    );
    expect(saved).not.toBeNull();
    await access(join(cwd, saved![1]!));
    expect(result.stdout).toContain('warning 1 local image was sent inline as data: URIs');
  });

  it('prints the outcome as JSON with --json', async () => {
    const cwd = await temporaryDirectory();
    const result = await run(
      [
        'edit',
        '--simulate',
        '--json',
        '-m',
        'edenai:openai/gpt-image-2',
        '-p',
        'Add a moon',
        '-i',
        SAMPLE_IMAGE_PATH,
      ],
      { cwd },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({
      status: 'succeeded',
      model: 'edenai:openai/gpt-image-2',
      provider: 'edenai',
      cost: { usd: 0.053, source: 'reported' },
      simulated: true,
      warnings: [],
    });
    expect(summary.images).toHaveLength(1);
    expect(summary.images[0].path.startsWith(join(cwd, '.retouch-out'))).toBe(true);
    const bytes = await readFile(summary.images[0].path);
    expect([...bytes.subarray(1, 4)].map((byte) => String.fromCharCode(byte)).join('')).toBe('PNG');
  });

  it('exits with 1 when the provider fails the edit', async () => {
    const result = await run([
      'edit',
      '--simulate',
      '-m',
      'edenai:acme/no-such-model',
      '-p',
      'x',
      '-i',
      SAMPLE_IMAGE_PATH,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('✖ edenai:acme/no-such-model failed: ApiCallError:');
  });

  it('exits with 2 for a request the model refuses before anything is sent', async () => {
    const result = await run([
      'edit',
      '--simulate',
      '-m',
      'oxen:no-such-model',
      '-p',
      'x',
      '-i',
      SAMPLE_IMAGE_PATH,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Oxen has no model "no-such-model"');
  });

  it('exits with 2 when --strict refuses an option the model would drop, and sends nothing', async () => {
    const oxen = await startOxenSimulator();
    try {
      const result = await run(
        [
          'edit',
          '--strict',
          '-m',
          'oxen:flux-kontext-dev',
          '-p',
          'x',
          '-i',
          SAMPLE_IMAGE_PATH,
          '--quality',
          'low',
        ],
        { env: { OXEN_API_KEY: oxen.apiKey, OXEN_BASE_URL: oxen.url } },
      );
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.split('\n')[0]).toMatch(
        /^error: oxen:flux-kontext-dev cannot honour "quality" exactly: .*Strict mode refuses an option the model would drop or adjust/,
      );
      expect(result.stderr).toContain('Run "retouch edit --help" for usage.');
      expect(oxen.billableCount).toBe(0);
    } finally {
      await oxen.close();
    }
  });

  it('names the missing key variable, one line, exit 2', async () => {
    const oxen = await run(['edit', '-m', 'oxen:qwen-image-edit', '-p', 'x', '-i', SAMPLE_IMAGE_PATH]);
    expect(oxen.code).toBe(2);
    expect(oxen.stderr.split('\n')[0]).toBe(
      'error: OXEN_API_KEY is not set: export your Oxen.ai API key as OXEN_API_KEY, or add --simulate to use a local simulator',
    );
    // retouch models needs no key: it lists the built-in catalogue, saying why.
    const edenai = await run(['models', '--provider', 'edenai']);
    expect(edenai.code).toBe(0);
    expect(edenai.stdout).toContain('edenai: offline, the built-in catalogue of');
    expect(edenai.stdout).toContain('EDENAI_API_KEY is not set');
  });
});

describe('retouch compare', () => {
  it('exits with 0 when every edit succeeded', async () => {
    const cwd = await temporaryDirectory();
    const result = await run(
      [
        'compare',
        '--simulate',
        '--models',
        'oxen:qwen-image-edit,edenai:openai/gpt-image-1-mini',
        '--prompt',
        'Add a moon',
        '--image',
        SAMPLE_IMAGE_PATH,
        '--repeat',
        '2',
        '--out',
        'comparison',
      ],
      { cwd },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('4 edits: 4 succeeded, 0 failed');
    expect(result.stdout).toContain('Report:  comparison/report.html');
    // Not a terminal: progress arrives as plain lines, one per start and result.
    expect(result.stderr).toMatch(/^Running 4 edits over 2 models\n/);
    expect(result.stderr).toMatch(/\] oxen:qwen-image-edit #2 done in \S+, \$0\.0300, 1 image\n/);
    expect(result.stderr).not.toContain('\u001b[');
  });

  it('exits with 1 when some edits failed, and shows the error', async () => {
    const cwd = await temporaryDirectory();
    const result = await run(
      [
        'compare',
        '--simulate',
        '--models',
        'oxen:qwen-image-edit,oxen:no-such-model',
        '--prompt',
        'Add a moon',
        '--image',
        SAMPLE_IMAGE_PATH,
        '--out',
        'comparison',
      ],
      { cwd },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/oxen:no-such-model +oxen +sse +failed/);
    expect(result.stdout).toContain('Errors\n  oxen:no-such-model: InvalidRequestError:');
    expect(result.stdout).toContain('2 edits: 1 succeeded, 1 failed');
    const results = JSON.parse(
      await readFile(join(cwd, 'comparison', 'results.json'), 'utf8'),
    ) as CompareResults;
    expect(results.rows.map((row) => row.status)).toEqual(['succeeded', 'failed']);
    expect(results.runs[1]!.error!.message).toContain('Oxen has no model "no-such-model"');
  });

  it('refuses edits past --budget-usd and counts them as failed', async () => {
    const cwd = await temporaryDirectory();
    const result = await run(
      [
        'compare',
        '--simulate',
        '--json',
        '--models',
        'oxen:qwen-image-edit',
        '--prompt',
        'x',
        '--image',
        SAMPLE_IMAGE_PATH,
        '--repeat',
        '3',
        '--budget-usd',
        '0.07',
        '--concurrency',
        '1',
      ],
      { cwd },
    );
    expect(result.code).toBe(1);
    const results = JSON.parse(result.stdout) as CompareResults;
    expect(results.options.budgetUsd).toBe(0.07);
    expect(results.summary).toMatchObject({ runs: 3, succeeded: 2, failed: 1 });
    expect(results.runs.find((run) => run.status === 'failed')!.error!.name).toBe('BudgetExceededError');
    expect(results.summary.totalCostUsd).toBeLessThanOrEqual(0.07);
  });

  it('shows the amounts of a budget refusal and of the spend with four decimals', async () => {
    const result = await run([
      'compare',
      '--simulate',
      '--models',
      'edenai:openai/gpt-image-2',
      '--prompt',
      'x',
      '--image',
      SAMPLE_IMAGE_PATH,
      '--repeat',
      '3',
      '--budget-usd',
      '0.11',
      '--concurrency',
      '1',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'is estimated at $0.0530, but $0.1060 of the $0.1100 budget is already spent, possibly billed or reserved',
    );
    expect(result.stdout).toContain('3 edits: 2 succeeded, 1 failed · spent $0.1060 ·');
  });

  it('prints the results JSON on stdout with --json', async () => {
    const cwd = await temporaryDirectory();
    const result = await run(
      [
        'compare',
        '--simulate',
        '--json',
        '--models',
        'edenai:openai/gpt-image-2',
        '-p',
        'x',
        '-i',
        SAMPLE_IMAGE_PATH,
      ],
      { cwd },
    );
    expect(result.code).toBe(0);
    const results = JSON.parse(result.stdout) as CompareResults;
    expect(results.simulated).toBe(true);
    expect(results.rows[0]).toMatchObject({
      model: 'edenai:openai/gpt-image-2',
      status: 'succeeded',
      costPerImageUsd: 0.053,
    });
  });

  it('names the missing key before sending anything', async () => {
    const result = await run(
      [
        'compare',
        '--models',
        'oxen:qwen-image-edit,edenai:openai/gpt-image-2',
        '-p',
        'x',
        '-i',
        SAMPLE_IMAGE_PATH,
      ],
      { env: { EDENAI_API_KEY: 'set' } },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: OXEN_API_KEY is not set');
    expect(result.stderr).not.toContain('Running');
  });
});

describe('retouch models', () => {
  it('lists edit models with parameters and prices', async () => {
    const result = await run(['models', '--simulate', '--provider', 'oxen']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^oxen \(\d+ edit models\)\n/);
    expect(result.stdout).toMatch(/ {2}oxen:qwen-image-edit +\$0\.0300\/image {2}Qwen Image Edit\n/);
    expect(result.stdout).toContain(
      '      aspect_ratio  1:1 | 16:9 | 9:16 | 4:3 | 3:4 | 3:2 | 2:3, default "16:9"',
    );
    expect(result.stdout).not.toContain('edenai:');
  });

  it('prints the catalogue as JSON', async () => {
    const result = await run(['models', '--simulate', '--json']);
    expect(result.code).toBe(0);
    const models = JSON.parse(result.stdout) as { id: string; provider: string }[];
    expect(models.map((model) => model.id)).toEqual(
      expect.arrayContaining(['oxen:qwen-image-edit', 'oxen:gpt-image-2', 'edenai:openai/gpt-image-2']),
    );
  });

  it('without keys, lists the built-in catalogues and prices, marked offline and dated', async () => {
    const result = await run(['models']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^oxen: offline, the built-in catalogue of \d{4}-\d{2}-\d{2} \(OXEN_API_KEY is not set/,
    );
    expect(result.stdout).toMatch(
      /\nedenai: offline, the built-in catalogue of \d{4}-\d{2}-\d{2} \(EDENAI_API_KEY is not set/,
    );
    expect(result.stdout).toMatch(/ {2}oxen:qwen-image-edit +price unknown/);
    expect(result.stdout).toMatch(/ {2}edenai:openai\/gpt-image-2 +\$0\.0530\/image/);

    const json = await run(['models', '--json', '--provider', 'edenai']);
    const models = JSON.parse(json.stdout) as {
      id: string;
      catalogue?: { source: string; checked: string };
    }[];
    expect(models.length).toBeGreaterThan(0);
    for (const model of models)
      expect(model.catalogue).toEqual({ source: 'built-in', checked: expect.any(String) });
  });
});
