import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCompareConfig } from '../src/config.ts';
import { run, temporaryDirectory } from './support/io.ts';

describe('--json errors', () => {
  it.each([
    [['edit', '--json', '-m', 'oxen:qwen-image-edit', '-p', 'x', '-i', 'nowhere.png'], 'UsageError', 2],
    [['compare', '--json', '--models', 'oxen:qwen-image-edit', '--image', 'a.png'], 'UsageError', 2],
    [['batch', 'missing.jsonl', '--json', '--simulate'], 'UsageError', 2],
    [['models', '--json', '--provider', 'fal'], 'UsageError', 2],
    [['demo', '--json', '--repeat', '50'], 'UsageError', 2],
  ])('%j prints the error as one JSON object on stdout', async (argv, name, code) => {
    const result = await run(argv);
    expect(result.code).toBe(code);
    const parsed = JSON.parse(result.stdout) as { error: { name: string; message: string } };
    expect(parsed.error.name).toBe(name);
    expect(parsed.error.message.length).toBeGreaterThan(0);
    expect(result.stderr).toBe('');
  });
});

describe('a compare config', () => {
  it('takes outputFormat "jpg" for jpeg, as --output-format does', async () => {
    const cwd = await temporaryDirectory();
    await writeFile(
      join(cwd, 'compare.json'),
      JSON.stringify({ models: ['oxen:gpt-image-2'], prompt: 'x', image: 'a.png', outputFormat: 'jpg' }),
    );
    const config = await loadCompareConfig({ path: 'compare.json', cwd });
    expect(config.outputFormat).toBe('jpeg');
  });
});
