/**
 * AI SDK 429 storm: an OpenAI-shaped simulator (its own process) accepts `LIMIT` edits in any one-second
 * window and answers 429 above it. A burst of edits goes to `@ai-sdk/openai`'s gpt-image-1 twice: through
 * `generateImage` alone, with the AI SDK's default retries (two, honouring `retry-after-ms`), and through
 * Retouch (`fromImageModel`) with the limit configured. Each arm reports its 429s and its lost edits.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { fromImageModel } from '@retouch/ai-sdk';
import { createRetouch } from '@retouch/core';
import { createTestImage } from '@retouch/simulator';
import { generateImage } from 'ai';
import {
  checkTarget,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
} from '../support/scenario.ts';
import { type SimulatorProcess, startSimulatorProcess } from '../support/simulator-process.ts';

const WINDOW_MS = 1_000;

interface ArmFigures {
  /** Edits that came back with an image. */
  succeeded: number;
  /** Edits that failed for good. */
  lost: number;
  /** 429 answers the simulator gave. */
  rateLimited: number;
  /** Edits the simulator ran (and would bill). */
  billed: number;
  elapsedMs: number;
}

async function measureArm(options: {
  simulator: SimulatorProcess;
  edits: number;
  send: () => Promise<unknown>;
}): Promise<ArmFigures> {
  await options.simulator.clear();
  const started = performance.now();
  const outcomes = await Promise.allSettled(Array.from({ length: options.edits }, options.send));
  const elapsedMs = Math.round(performance.now() - started);
  const summary = await options.simulator.summary();
  const succeeded = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
  return {
    succeeded,
    lost: options.edits - succeeded,
    rateLimited: summary.rateLimited,
    billed: summary.billable,
    elapsedMs,
  };
}

async function runStorm(context: ScenarioContext): Promise<ScenarioResult> {
  const limit = context.mode === 'quick' ? 4 : 5;
  const edits = context.mode === 'quick' ? 16 : 40;
  const simulator = await startSimulatorProcess({
    provider: 'openai',
    options: { rateLimit: { requestsPerSecond: limit, windowMs: WINDOW_MS } },
  });
  // The AI SDK logs each warning to the console; none are expected, and the bench prints its own lines.
  (globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
  try {
    const openai = createOpenAI({ apiKey: simulator.apiKey, baseURL: `${simulator.url}/v1` });
    const picture = createTestImage({ width: 32, height: 32 });
    const text = 'Make it a watercolour';

    context.log(`AI SDK alone, default retries: ${edits} edits at ${limit}/s`);
    const alone = await measureArm({
      simulator,
      edits,
      send: () => generateImage({ model: openai.image('gpt-image-1'), prompt: { text, images: [picture] } }),
    });
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 100));

    context.log(`through Retouch, limit configured (${limit}/s)`);
    const retouch = createRetouch({
      providers: [fromImageModel(openai.image('gpt-image-1'), { id: 'openai' })],
      limits: { openai: { requestsPerSecond: limit } },
    });
    let bridged: ArmFigures;
    try {
      bridged = await measureArm({
        simulator,
        edits,
        send: () => retouch.edit({ model: 'openai:gpt-image-1', prompt: text, images: [picture] }),
      });
    } finally {
      await retouch.close();
    }
    for (const [name, arm] of Object.entries({ alone, bridged })) {
      context.log(
        `${name}: ${arm.succeeded} ok, ${arm.lost} lost, ${arm.rateLimited} 429s, ${arm.billed} billed, ${arm.elapsedMs} ms`,
      );
    }
    return {
      name: 'ai-sdk-storm',
      summary:
        `through Retouch ${bridged.rateLimited} 429s, ${bridged.lost}/${edits} lost ` +
        `(AI SDK alone: ${alone.rateLimited} 429s, ${alone.lost}/${edits} lost)`,
      targetText: '0 429s, 0 lost and every edit billed once through Retouch',
      targets: [
        checkTarget({
          figure: 'through Retouch: 429 count',
          value: bridged.rateLimited,
          comparison: '==',
          threshold: 0,
        }),
        checkTarget({
          figure: 'through Retouch: lost edits',
          value: bridged.lost,
          comparison: '==',
          threshold: 0,
        }),
        checkTarget({
          figure: 'through Retouch: billed / edits',
          value: bridged.billed / edits,
          comparison: '==',
          threshold: 1,
        }),
      ],
      figures: { bridged },
      baselines: { aiSdkAlone: alone },
      parameters: {
        edits,
        limitRequestsPerSecond: limit,
        windowMs: WINDOW_MS,
        simulator: 'OpenAI, separate process',
      },
      notes: [
        "The AI SDK alone sends the burst at once; each call retries a 429 twice after the simulator's retry-after-ms, so an edit still refused a third time is lost.",
        'Through Retouch the lane spaces the calls to the configured limit (each AI SDK call counts as one request).',
      ],
    };
  } finally {
    await simulator.close();
  }
}

/** Scenario: the same 429 storm sent by the AI SDK alone and by the same model through Retouch. */
export const aiSdkStormScenario: Scenario = { name: 'ai-sdk-storm', run: runStorm };
