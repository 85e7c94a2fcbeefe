import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createOxen } from '@retouch/provider-oxen';
import { startOxenSimulator } from '@retouch/simulator';
import { MockLanguageModelV4 } from 'ai/test';
import { afterEach, describe, expect, it } from 'vitest';
import { runCompare } from '../src/run-compare.ts';
import { temporaryDirectory } from './support/io.ts';
import { SAMPLE_IMAGE_PATH } from './support/sample.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A judge that answers 7 with a reason, using 1,000 input and 50 output tokens a call. */
function mockJudge() {
  return new MockLanguageModelV4({
    provider: 'mock',
    modelId: 'vision-judge',
    doGenerate: async () => ({
      content: [
        {
          type: 'text',
          text: JSON.stringify({ score: 7, reason: 'The sky is starry; the hills are kept.' }),
        },
      ],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: {
        inputTokens: { total: 1000, noCache: 1000, cacheRead: undefined, cacheWrite: undefined },
        outputTokens: { total: 50, text: 50, reasoning: undefined },
      },
      warnings: [],
    }),
  });
}

async function oxenSimulator() {
  const simulator = await startOxenSimulator({});
  const oxen = createOxen({ mode: 'sync', baseURL: simulator.url, apiKey: simulator.apiKey });
  cleanups.push(
    () => oxen.close(),
    () => simulator.close(),
  );
  return { simulator, oxen };
}

const PRICES = { inputUsdPerMillionTokens: 2, outputUsdPerMillionTokens: 10 };

describe('the judge', () => {
  it('scores each output from the input, the output and the prompt, costed apart, cached by output', async () => {
    const { oxen } = await oxenSimulator();
    const model = mockJudge();
    const outDir = await temporaryDirectory();
    const compare = () =>
      runCompare({
        providers: [oxen],
        models: [{ model: 'oxen:qwen-image-edit' }, { model: 'oxen:flux-kontext-dev' }],
        prompt: 'Turn the sky into a starry night',
        images: [{ path: SAMPLE_IMAGE_PATH }],
        judge: { model, prices: PRICES },
        outDir,
      });
    const { results } = await compare();
    expect(model.doGenerateCalls).toHaveLength(2);
    const call = model.doGenerateCalls[0]!;
    const user = call.prompt.find((message) => message.role === 'user')!;
    const parts = user.content as { type: string; text?: string; mediaType?: string }[];
    expect(parts.map((part) => part.type)).toEqual(['text', 'file', 'file']);
    expect(parts[0]!.text).toContain('Turn the sky into a starry night');
    expect(call.responseFormat).toMatchObject({ type: 'json' });

    const perAnswer = (1000 * 2 + 50 * 10) / 1e6;
    for (const row of results.rows) {
      expect(row.judge).toEqual({
        score: 7,
        outputs: 1,
        reason: 'The sky is starry; the hills are kept.',
        costUsd: perAnswer,
      });
    }
    expect(results.summary.judgeCostUsd).toBeCloseTo(2 * perAnswer, 9);
    // The edits' total does not include the judge.
    expect(results.summary.totalCostUsd).toBeCloseTo(
      results.rows.reduce((total, row) => total + row.totalCostUsd!, 0),
      9,
    );
    const html = await readFile(join(outDir, 'report.html'), 'utf8');
    expect(html).toContain('Judge 7/10: The sky is starry; the hills are kept.');

    // The same outputs again: answered from the cache, no call, nothing spent.
    const again = await compare();
    expect(model.doGenerateCalls).toHaveLength(2);
    expect(again.results.runs.flatMap((run) => run.images).every((image) => image.judge?.cached)).toBe(true);
    expect(again.results.summary.judgeCostUsd).toBe(0);
  });

  it('counts its answers in the budget, and with a budget needs its prices before any call', async () => {
    const { oxen, simulator } = await oxenSimulator();
    const options = {
      providers: [oxen],
      models: [{ model: 'oxen:qwen-image-edit' }],
      prompt: 'Turn the sky into a starry night',
      images: [{ path: SAMPLE_IMAGE_PATH }],
      budgetUsd: 1,
    };
    await expect(
      runCompare({ ...options, judge: { model: mockJudge() }, outDir: await temporaryDirectory() }),
    ).rejects.toThrow(/judge\.prices is needed with budgetUsd/);
    expect(simulator.billableCount).toBe(0);

    // The edit costs $0.03; a judge that holds $0.98 an answer no longer fits under $1.
    const model = mockJudge();
    const { results } = await runCompare({
      ...options,
      judge: { model, prices: PRICES, reserveUsd: 0.98 },
      outDir: await temporaryDirectory(),
    });
    expect(model.doGenerateCalls).toHaveLength(0);
    expect(results.rows[0]!.judge).toBeUndefined();
    expect(results.runs[0]!.warnings.join('\n')).toMatch(/judge was not asked: .* past its budget of \$1/);
  });
});
