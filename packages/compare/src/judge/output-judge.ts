import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RetouchError, type SpendStore } from '@retouch/core';
import { sniffImageMediaType } from '@retouch/core/provider-utils';
import type { SavedImage } from '../results.ts';
import {
  type CompareJudge,
  JUDGE_MAX_OUTPUT_TOKENS,
  JUDGE_RESERVED_INPUT_TOKENS,
  type JudgeVerdict,
} from './compare-judge.ts';
import { askJudge, judgeAnswerSchema } from './judge-answer.ts';

/** Judges the saved outputs of a comparison's runs; failures become warnings. */
export type OutputJudge = (
  images: readonly SavedImage[],
) => Promise<{ images: SavedImage[]; warnings: string[] }>;

/**
 * A judge for a comparison. Checks, before any call, that its cost can be counted when there is a
 * budget. Each answer is kept in the cache under the hash of the output, the prompt and the model,
 * and holds its cost from the budget before the call.
 */
export function createOutputJudge(options: {
  judge: CompareJudge;
  prompt: string;
  /** The first input's bytes, read when the first output is judged. */
  readInput: () => Promise<Uint8Array>;
  outDir: string;
  budget?: { store: SpendStore; maxUsd: number };
}): OutputJudge {
  const { judge, prompt, outDir, budget } = options;
  if (budget && !judge.prices && judge.reserveUsd === undefined) {
    throw new RetouchError({
      message:
        'runCompare: judge.prices is needed with budgetUsd, so the judge’s answers are counted in the budget; give its prices per million tokens (or judge.reserveUsd)',
    });
  }
  const modelName =
    typeof judge.model === 'string' ? judge.model : `${judge.model.provider}:${judge.model.modelId}`;
  const cacheDirectory = judge.cacheDirectory ?? join(outDir, '.judge-cache');
  const costOf = (tokens: { input: number; output: number }) =>
    judge.prices
      ? (tokens.input * judge.prices.inputUsdPerMillionTokens +
          tokens.output * judge.prices.outputUsdPerMillionTokens) /
        1e6
      : undefined;
  const reserveUsd =
    judge.reserveUsd ?? costOf({ input: JUDGE_RESERVED_INPUT_TOKENS, output: JUDGE_MAX_OUTPUT_TOKENS }) ?? 0;
  let input: Promise<Uint8Array> | undefined;

  const verdictFor = async (image: SavedImage): Promise<JudgeVerdict> => {
    const output = new Uint8Array(await readFile(join(outDir, ...image.file.split('/'))));
    const key = createHash('sha256').update(output).update(`\n${modelName}\n${prompt}`).digest('hex');
    const cacheFile = join(cacheDirectory, `${key}.json`);
    const cached = await readFile(cacheFile, 'utf8').then(
      (text) => judgeAnswerSchema.safeParse(JSON.parse(text)),
      () => undefined,
    );
    if (cached?.success)
      return { ...cached.data, model: modelName, cached: true, ...(judge.prices ? { costUsd: 0 } : {}) };

    // Each question to the judge is its own billing: a failed one stays possibly billed.
    const billingKey = `judge:${key}:${randomUUID()}`;
    if (budget) {
      const held = await budget.store.reserve({
        key: billingKey,
        model: modelName,
        usd: reserveUsd,
        maxUsd: budget.maxUsd,
      });
      if (!held.ok) {
        throw new RetouchError({
          message: `the judge was not asked: its answer (up to $${reserveUsd.toFixed(4)}) would take the comparison past its budget of $${budget.maxUsd}`,
        });
      }
    }
    let spentUsd: number | undefined;
    try {
      input ??= options.readInput();
      const inputBytes = await input;
      await budget?.store.markPossiblyBilled({ key: billingKey });
      const asked = await askJudge({
        judge,
        prompt,
        input: { bytes: inputBytes, mediaType: sniffImageMediaType(inputBytes) ?? 'image/png' },
        output: { bytes: output, mediaType: image.mediaType },
      });
      spentUsd = costOf({ input: asked.inputTokens, output: asked.outputTokens }) ?? 0;
      await mkdir(cacheDirectory, { recursive: true });
      await writeFile(cacheFile, `${JSON.stringify(asked.answer)}\n`);
      return {
        ...asked.answer,
        model: modelName,
        cached: false,
        ...(judge.prices ? { costUsd: Math.round((spentUsd ?? 0) * 1e7) / 1e7 } : {}),
      };
    } finally {
      if (budget && spentUsd !== undefined) {
        await budget.store.settle({ key: billingKey, model: modelName, usd: spentUsd, source: 'reported' });
      }
    }
  };

  return async (images) => {
    const judged: SavedImage[] = [];
    const warnings: string[] = [];
    for (const image of images) {
      try {
        judged.push({ ...image, judge: await verdictFor(image) });
      } catch (error) {
        warnings.push(`judge: ${image.file}: ${error instanceof Error ? error.message : String(error)}`);
        judged.push(image);
      }
    }
    return { images: judged, warnings };
  };
}
