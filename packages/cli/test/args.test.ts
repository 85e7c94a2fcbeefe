import type { CompareResults } from '@retouch/compare';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/args/parse-command-line.ts';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { UsageError } from '../src/usage-error.ts';
import { run } from './support/io.ts';

function usageMessage(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(UsageError.isInstance(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('parseCommandLine', () => {
  it('reads every edit flag into typed options', () => {
    const parsed = parseCommandLine([
      'edit',
      '--model',
      'oxen:qwen-image-edit',
      '-p',
      'Make the sky purple',
      '--image',
      'in.png',
      '-i',
      'https://example.com/b.png',
      '--mask',
      'mask.png',
      '--size',
      '1024x1024',
      '--aspect-ratio',
      '16:9',
      '--quality',
      'high',
      '--output-format',
      'webp',
      '--n',
      '2',
      '--seed',
      '42',
      '--negative-prompt',
      'blur',
      '--timeout',
      '90',
      '--option',
      'guidance=3',
      '--option',
      'enable_web_search=true',
      '--option',
      'style=vivid',
      '--out',
      './out',
      '--simulate',
      '--json',
      '--strict',
      '--oxen-mode',
      'queue',
    ]);
    expect(parsed).toEqual({
      command: 'edit',
      options: {
        model: 'oxen:qwen-image-edit',
        prompt: 'Make the sky purple',
        images: ['in.png', 'https://example.com/b.png'],
        mask: 'mask.png',
        size: '1024x1024',
        aspectRatio: '16:9',
        quality: 'high',
        outputFormat: 'webp',
        n: 2,
        seed: 42,
        negativePrompt: 'blur',
        timeoutSeconds: 90,
        providerOptions: { guidance: 3, enable_web_search: true, style: 'vivid' },
        out: './out',
        simulate: true,
        json: true,
        strict: true,
        oxenMode: 'queue',
      },
    });
  });

  it('reads compare models, repeat, budget and concurrency', () => {
    const parsed = parseCommandLine([
      'compare',
      '--models',
      'oxen:qwen-image-edit, edenai:openai/gpt-image-2,',
      '--prompt',
      'x',
      '--image',
      'a.png',
      '--repeat',
      '3',
      '--budget-usd',
      '$1.50',
      '--concurrency',
      '4',
      '--edenai-transport',
      'multipart',
    ]);
    expect(parsed).toMatchObject({
      command: 'compare',
      options: {
        models: [{ model: 'oxen:qwen-image-edit' }, { model: 'edenai:openai/gpt-image-2' }],
        prompt: 'x',
        images: ['a.png'],
        repeat: 3,
        budgetUsd: 1.5,
        concurrency: 4,
        edenaiTransport: 'multipart',
        simulate: false,
        json: false,
      },
    });
  });

  it('accepts --config without --models, leaving the prompt and image to the file', () => {
    expect(parseCommandLine(['compare', '--config', 'compare.json'])).toMatchObject({
      command: 'compare',
      options: { config: 'compare.json', images: [] },
    });
  });

  it('takes --retry-failed and --resend-possibly-billed on batch with --redis, and on worker', () => {
    expect(
      parseCommandLine([
        'batch',
        'm.jsonl',
        '--redis',
        'redis://127.0.0.1:6379',
        '--retry-failed',
        '--resend-possibly-billed',
      ]),
    ).toMatchObject({ command: 'batch', options: { retryFailed: true, resendPossiblyBilled: true } });
    expect(
      parseCommandLine(['worker', '--redis', 'redis://127.0.0.1:6379', '--resend-possibly-billed']),
    ).toMatchObject({ command: 'worker', options: { resendPossiblyBilled: true } });
  });

  it('reads models and demo options, help and version', () => {
    expect(parseCommandLine(['models', '--provider', 'edenai', '--simulate'])).toEqual({
      command: 'models',
      options: { provider: 'edenai', simulate: true, json: false },
    });
    expect(parseCommandLine(['demo', '--out', 'x', '--repeat', '1', '--json'])).toEqual({
      command: 'demo',
      options: { out: 'x', repeat: 1, json: true },
    });
    expect(parseCommandLine([])).toEqual({ command: 'help' });
    expect(parseCommandLine(['--help'])).toEqual({ command: 'help' });
    expect(parseCommandLine(['help', 'compare'])).toEqual({ command: 'help', topic: 'compare' });
    expect(parseCommandLine(['compare', '--help'])).toEqual({ command: 'help', topic: 'compare' });
    expect(parseCommandLine(['edit', '-h'])).toEqual({
      command: 'help',
      topic: 'edit',
    });
    expect(parseCommandLine(['--version'])).toEqual({ command: 'version' });
  });

  it.each([
    [
      ['frobnicate'],
      'unknown command "frobnicate"; the commands are edit, compare, batch, worker, ledger, models, demo',
    ],
    [['--simulate'], '--simulate must follow a command'],
    [
      ['compare', '--modles', 'oxen:a'],
      'unknown option --modles for "retouch compare"; did you mean --models?',
    ],
    [['edit', '--aspect_ratio', '1:1'], 'did you mean --aspect-ratio?'],
    [['edit', '--prompt'], '--prompt needs a value'],
    [['edit', '--simulate=yes'], '--simulate takes no value'],
    [['edit', 'photo.png'], 'unexpected argument "photo.png"'],
    [['edit', '--prompt', 'x', '--image', 'a.png'], '--model is required'],
    [['edit', '--model', 'oxen:qwen-image-edit', '--image', 'a.png'], '--prompt is required'],
    [['edit', '--model', 'oxen:qwen-image-edit', '--prompt', 'x'], '--image is required'],
    [
      ['edit', '--model', 'qwen-image-edit', '--prompt', 'x', '--image', 'a'],
      '"qwen-image-edit" is not a model id',
    ],
    [
      ['edit', '--model', 'fal:flux', '--prompt', 'x', '--image', 'a'],
      'unknown provider "fal" in "fal:flux"',
    ],
    [['edit', '-m', 'oxen:a', '-p', 'x', '-i', 'a', '--size', 'big'], '--size must be WxH'],
    [['edit', '-m', 'oxen:a', '-p', 'x', '-i', 'a', '--aspect-ratio', '16/9'], '--aspect-ratio must be W:H'],
    [
      ['edit', '-m', 'oxen:a', '-p', 'x', '-i', 'a', '--quality', 'ultra'],
      '--quality must be one of auto, low, medium, high',
    ],
    [
      ['edit', '-m', 'oxen:a', '-p', 'x', '-i', 'a', '--n', '11'],
      '--n must be a whole number from 1 to 10, not "11"',
    ],
    [['edit', '-m', 'oxen:a', '-p', 'x', '-i', 'a', '--option', 'guidance'], '--option must be key=value'],
    [
      ['edit', '-m', 'oxen:a', '-p', 'x', '-i', 'a', '--oxen-mode', 'fast'],
      '--oxen-mode must be one of sync, queue, sse',
    ],
    [['edit', '-m', 'oxen:a', '-p', '  ', '-i', 'a'], '--prompt is empty'],
    [['compare', '--prompt', 'x'], '--models or --config is required'],
    [['compare', '--models', ',', '--prompt', 'x'], '--models is empty'],
    [
      ['compare', '--models', 'oxen:a', '--repeat', '0'],
      '--repeat must be a whole number from 1 to 100, not "0"',
    ],
    [['compare', '--models', 'oxen:a', '--repeat', '2.5'], '--repeat must be a whole number'],
    [['compare', '--models', 'oxen:a', '--repeat', 'many'], '--repeat must be a whole number'],
    [['compare', '--models', 'oxen:a', '--budget-usd', '-1'], 'write --budget-usd=<value>'],
    [
      ['compare', '--models', 'oxen:a', '--budget-usd=-1'],
      '--budget-usd must be a positive number of US dollars',
    ],
    [['compare', '--models', 'oxen:a', '--budget-usd', 'lots'], '--budget-usd must be a positive number'],
    [['compare', '--models', 'oxen:a', '--judge', 'gpt-4.1-mini'], '--judge must be <provider>:<model>'],
    [['compare', '--models', 'oxen:a', '--judge', 'fal:x'], 'a provider of openai, anthropic, google'],
    [
      ['compare', '--models', 'oxen:a', '--judge-prices', '0.4'],
      '--judge-prices must be <input>,<output> US dollars per million tokens',
    ],
    [['models', '--provider', 'fal'], '--provider must be one of oxen, edenai, not "fal"'],
    [['demo', '--repeat', '50'], '--repeat must be a whole number from 1 to 10'],
    [['help', 'paint'], 'unknown command "paint"'],
  ])('refuses %j', (argv, message) => {
    expect(usageMessage(argv)).toContain(message);
  });
});

describe('usage errors through main', () => {
  it('prints one line and a hint to --help, and exits with 2', async () => {
    const result = await run(['compare', '--models', 'oxen:qwen-image-edit', '--image', 'a.png']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'error: --prompt is required (or "prompt" in the --config file)\nRun "retouch compare --help" for usage.\n',
    );
  });

  it('names a missing input file before doing anything else', async () => {
    const result = await run([
      'edit',
      '--simulate',
      '--model',
      'oxen:qwen-image-edit',
      '--prompt',
      'x',
      '--image',
      'nowhere.png',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: --image nowhere\.png: no such file\n/);
  });

  it('prints the help of each command with exit code 0', async () => {
    for (const command of ['edit', 'compare', 'models', 'demo']) {
      const result = await run([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: retouch ${command}`);
    }
    const general = await run([]);
    expect(general.code).toBe(0);
    expect(general.stdout).toContain('Commands:');
    expect(general.stdout).toContain('Exit codes: 0 success, 1 some edits failed, 2 usage error');
  });

  it('gives the Oxen default mode the runs use, the same in every command that takes --oxen-mode', async () => {
    const defaults = new Set<string>();
    for (const command of ['edit', 'compare', 'batch', 'models', 'worker']) {
      const help = (await run([command, '--help'])).stdout;
      const line = help.split('\n').find((text) => text.trimStart().startsWith('--oxen-mode'));
      expect(line).toBe(
        '  --oxen-mode <mode>         Oxen edits: sync, queue (polled) or sse (queue + events; default)',
      );
      defaults.add(/(\w+) \([^)]*default\)/.exec(line!)![1]!);
    }
    expect([...defaults]).toEqual(['sse']);
    const compared = await run([
      'compare',
      '--simulate',
      '--json',
      '--models',
      'oxen:qwen-image-edit',
      '-p',
      'x',
      '-i',
      SAMPLE_IMAGE_PATH,
    ]);
    expect(compared.code).toBe(0);
    expect((JSON.parse(compared.stdout) as CompareResults).rows[0]!.mode).toBe('sse');
  });

  it('prints the package version', async () => {
    const result = await run(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
