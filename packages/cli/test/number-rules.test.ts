import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCompareConfig } from '../src/config.ts';
import { checkNumber, concurrencyRule, OUTPUTS_RULE, SEED_RULE } from '../src/number-rules.ts';
import { loadWorkerConfig } from '../src/worker-config.ts';
import { temporaryDirectory } from './support/io.ts';

describe('numeric option rules', () => {
  it.each([
    [{ whole: true, min: 1, max: 100 }, 0, 'must be a whole number from 1 to 100'],
    [{ whole: true, min: 1, max: 100 }, 2.5, 'must be a whole number from 1 to 100'],
    [{ whole: true, min: 1 }, '3', 'must be a whole number ≥ 1'],
    [{ positive: true, unit: 'US dollars' }, 0, 'must be a positive number of US dollars'],
    [{ min: 0, unit: 'seconds' }, -1, 'must be a number of seconds ≥ 0'],
    [{ positive: true }, Number.POSITIVE_INFINITY, 'must be a positive number'],
  ])('words the rule %j for %j one way', (rule, value, message) => {
    expect(checkNumber({ value, rule })).toBe(message);
  });

  it('passes a value that follows the rule', () => {
    expect(checkNumber({ value: 100, rule: { whole: true, min: 1, max: 100 } })).toBeUndefined();
    expect(checkNumber({ value: 0.5, rule: { positive: true, unit: 'seconds' } })).toBeUndefined();
  });

  it("holds to core's own rule where core has one", () => {
    expect(checkNumber({ value: 10, rule: OUTPUTS_RULE })).toBeUndefined();
    expect(checkNumber({ value: 11, rule: OUTPUTS_RULE })).toBe('must be a whole number from 1 to 10');
    expect(checkNumber({ value: 2 ** 32, rule: SEED_RULE })).toBe(
      'must be a whole number from 0 to 4294967295',
    );
    expect(checkNumber({ value: 0, rule: concurrencyRule() })).toBe('must be a whole number ≥ 1');
    // Core's lane rule is the judge even where the CLI's own bounds would let a value through.
    expect(checkNumber({ value: 2, rule: { ...concurrencyRule(), core: () => false } })).toBe(
      'must be a whole number ≥ 1',
    );
  });

  it('words a config file the way it words the flags', async () => {
    const config = (value: unknown) => () => parseCompareConfig({ value, name: 'c.json', directory: '/' });
    expect(config({ models: ['oxen:a'], budgetUsd: 0 })).toThrow(
      'c.json: budgetUsd must be a positive number of US dollars',
    );
    expect(config({ models: ['oxen:a'], timeoutSeconds: -1 })).toThrow(
      'c.json: timeoutSeconds must be a positive number of seconds',
    );
    const cwd = await temporaryDirectory();
    const worker = async (value: unknown) => {
      await writeFile(join(cwd, 'worker.json'), JSON.stringify(value));
      return loadWorkerConfig({ path: 'worker.json', cwd });
    };
    await expect(worker({ concurrency: 0 })).rejects.toThrow(
      'worker.json: concurrency must be a whole number ≥ 1',
    );
    await expect(worker({ concurrency: 1.5 })).rejects.toThrow(
      'worker.json: concurrency must be a whole number ≥ 1',
    );
    await expect(worker({ budgetUsd: -1 })).rejects.toThrow(
      'worker.json: budgetUsd must be a positive number of US dollars',
    );
    // As with --budget-usd: a cap of nothing would refuse every edit the worker takes.
    await expect(worker({ budgetUsd: 0 })).rejects.toThrow(
      'worker.json: budgetUsd must be a positive number of US dollars',
    );
    await expect(worker({ budgetUsd: 0.5, shutdownGraceSeconds: 0 })).resolves.toEqual({
      budgetUsd: 0.5,
      shutdownGraceSeconds: 0,
    });
  });
});
