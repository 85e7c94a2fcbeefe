import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type EdenAISimulator, startEdenAISimulator } from '@retouch/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { run, temporaryDirectory } from './support/io.ts';

let edenai: EdenAISimulator;
beforeAll(async () => {
  edenai = await startEdenAISimulator({});
});
afterAll(() => edenai.close());
const env = () => ({ EDENAI_API_KEY: edenai.apiKey, EDENAI_BASE_URL: edenai.url });
const UNPRICED = 'edenai:bfl/flux-kontext-max';

async function workspace(): Promise<string> {
  const cwd = await temporaryDirectory();
  await copyFile(SAMPLE_IMAGE_PATH, join(cwd, 'photo.png'));
  return cwd;
}

describe('an unpriced model under --budget-usd', { timeout: 60_000 }, () => {
  const compare = (cwd: string, extra: string[]) =>
    run(
      [
        'compare',
        '--models',
        UNPRICED,
        '--image',
        'photo.png',
        '--prompt',
        'Add a hat',
        '--budget-usd',
        '1',
        ...extra,
      ],
      { cwd, env: env() },
    );

  it('is refused with the flags that let it run, then runs with --unknown-cost allow or --price', async () => {
    const cwd = await workspace();
    edenai.clearRequests();
    const refused = await compare(cwd, []);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain('--unknown-cost allow');
    expect(refused.stdout + refused.stderr).toContain(`--price ${UNPRICED}=<usd per image>`);
    expect(edenai.billableCount).toBe(0);

    const allowed = await compare(cwd, ['--unknown-cost', 'allow']);
    expect(allowed.code).toBe(0);
    expect(edenai.billableCount).toBe(1);

    const priced = await compare(cwd, ['--price', `${UNPRICED}=0.08`]);
    expect(priced.code).toBe(0);
    expect(edenai.billableCount).toBe(2);
    // A price that leaves the budget no room refuses the edit before it is sent.
    const tooDear = await compare(cwd, ['--price', `${UNPRICED}=5`]);
    expect(tooDear.code).toBe(1);
    expect(tooDear.stdout + tooDear.stderr).toContain('raise --budget-usd');
    expect(edenai.billableCount).toBe(2);
  });

  it('runs in a batch with --unknown-cost allow, and the flags are checked', async () => {
    const cwd = await workspace();
    await writeFile(
      join(cwd, 'manifest.jsonl'),
      `${JSON.stringify({ model: UNPRICED, prompt: 'Add a hat', images: ['photo.png'] })}\n`,
    );
    const batch = await run(['batch', 'manifest.jsonl', '--budget-usd', '1', '--unknown-cost', 'allow'], {
      cwd,
      env: env(),
    });
    expect(batch.code).toBe(0);
    expect(batch.stdout).toContain('1 line: 1 succeeded, 0 failed');

    expect((await run(['batch', 'manifest.jsonl', '--price', 'flux=1'], { cwd })).stderr).toContain(
      '--price must be <provider:model>=<US dollars per image>',
    );
    expect((await run(['batch', 'manifest.jsonl', '--unknown-cost', 'maybe'], { cwd })).stderr).toContain(
      '--unknown-cost must be one of refuse, allow',
    );
    expect(
      (
        await run(['batch', 'manifest.jsonl', '--redis', 'redis://127.0.0.1:1', '--unknown-cost', 'allow'], {
          cwd,
        })
      ).stderr,
    ).toContain('--unknown-cost applies where the edits run');
  });
});

describe('a worker config', () => {
  it('takes unknownCost and prices, checked like the flags', async () => {
    const { loadWorkerConfig } = await import('../src/worker-config.ts');
    const cwd = await temporaryDirectory();
    const write = (value: unknown) => writeFile(join(cwd, 'worker.json'), JSON.stringify(value));
    await write({ unknownCost: 'allow', prices: { [UNPRICED]: 0.08 } });
    expect(await loadWorkerConfig({ path: 'worker.json', cwd })).toEqual({
      unknownCost: 'allow',
      prices: { [UNPRICED]: 0.08 },
    });
    await write({ unknownCost: 'maybe' });
    await expect(loadWorkerConfig({ path: 'worker.json', cwd })).rejects.toThrow(
      'worker.json: unknownCost must be "refuse" or "allow"',
    );
    await write({ prices: { flux: 1 } });
    await expect(loadWorkerConfig({ path: 'worker.json', cwd })).rejects.toThrow(
      'prices.flux must name a model',
    );
  });
});
