/**
 * Rate adherence: the Eden AI simulator (its own process) enforces 10 requests per second in a sliding
 * one-second window and answers 429 above it. The same edits go through Retouch with the limit
 * configured, through Retouch with no limit configured (the lane adapts to 429s), and through two
 * hand-written baselines without Retouch: `Promise.all` over `fetch`, and p-limit(10) over `fetch`.
 */
import { createRetouch, type EditRequest, type LaneLimits } from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';
import pLimit from 'p-limit';
import {
  checkTarget,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
} from '../support/scenario.ts';
import { type SimulatorProcess, startSimulatorProcess } from '../support/simulator-process.ts';
import { median, round } from '../support/statistics.ts';

const LIMIT = 10;
const WINDOW_MS = 1_000;
const TARGET_CONFIGURED_RATE = 0.95;
const TARGET_ADAPTIVE_RATE = 0.8;

const request: EditRequest = {
  model: 'edenai:google/gemini-2.5-flash-image',
  prompt: 'Replace the sky with a sunset',
  images: ['https://example.com/beach.png'],
  timeoutMs: 120_000,
};

interface ArmFigures {
  /** Edits that produced an image. */
  succeeded: number;
  /** Edits that did not (a 429 counts for the baselines, which do not retry). */
  failed: number;
  /** 429 answers the simulator gave. */
  rateLimited: number;
  /** Requests the simulator received. */
  requests: number;
  /**
   * Accepted edits per second: accepted / (last accepted - first accepted + one window). A client that
   * fills every window exactly scores the limit.
   */
  achievedRate: number;
  /** achievedRate / the limit. */
  rateRatio: number;
  /**
   * For each 429: how early it arrived, in ms, before the window had room (the arrival of the request
   * `limit` places back among the accepted ones, plus the window). Median and largest.
   */
  rateLimitedEarlyByMs: { median: number; max: number } | undefined;
  elapsedMs: number;
}

function earliness(options: { accepted: number[]; refused: number[] }): ArmFigures['rateLimitedEarlyByMs'] {
  if (options.refused.length === 0) return undefined;
  const accepted = [...options.accepted].sort((a, b) => a - b);
  const early: number[] = [];
  for (const time of options.refused) {
    const before = accepted.filter((acceptedAt) => acceptedAt <= time);
    const blocking = before.at(-LIMIT);
    if (blocking !== undefined) early.push(blocking + WINDOW_MS - time);
  }
  if (early.length === 0) return undefined;
  return { median: round(median(early), 1), max: round(Math.max(...early), 1) };
}

function achievedRate(times: number[]): number {
  if (times.length === 0) return 0;
  const sorted = [...times].sort((a, b) => a - b);
  return (sorted.length / (sorted.at(-1)! - sorted[0]! + WINDOW_MS)) * 1000;
}

async function measureArm(options: {
  simulator: SimulatorProcess;
  run: () => Promise<boolean[]>;
}): Promise<ArmFigures> {
  await options.simulator.clear();
  const started = performance.now();
  const outcomes = await options.run();
  const elapsedMs = performance.now() - started;
  const summary = await options.simulator.summary();
  const rate = achievedRate(summary.acceptedEditTimes);
  return {
    succeeded: outcomes.filter(Boolean).length,
    failed: outcomes.filter((ok) => !ok).length,
    rateLimited: summary.rateLimited,
    requests: summary.requests,
    achievedRate: round(rate, 3),
    rateRatio: round(rate / LIMIT, 3),
    rateLimitedEarlyByMs: earliness({
      accepted: summary.acceptedEditTimes,
      refused: summary.rateLimitedEditTimes,
    }),
    elapsedMs: Math.round(elapsedMs),
  };
}

async function runRateAdherence(context: ScenarioContext): Promise<ScenarioResult> {
  const edits = context.mode === 'quick' ? 60 : 300;
  const simulator = await startSimulatorProcess({
    provider: 'edenai',
    options: { rateLimit: { requestsPerSecond: LIMIT, windowMs: WINDOW_MS } },
  });
  try {
    const retouchArm = async (limits: LaneLimits | undefined): Promise<boolean[]> => {
      const edenai = createEdenAI({ apiKey: simulator.apiKey, baseURL: simulator.url });
      const retouch = createRetouch({
        providers: [edenai],
        ...(limits === undefined ? {} : { limits: { edenai: limits } }),
      });
      try {
        // Steady state: the model list (for the estimate) is read once per client, through the lane like
        // every request, and the provider counts it. Read it first and let its window pass, so the
        // measured second holds edits only, as the baselines' do.
        await retouch.listModels({ provider: 'edenai' });
        await pause();
        const outcomes = await Promise.allSettled(Array.from({ length: edits }, () => retouch.edit(request)));
        return outcomes.map((outcome) => outcome.status === 'fulfilled' && outcome.value.images.length > 0);
      } finally {
        await retouch.close();
      }
    };

    // One edit through Retouch tells the baselines what to send.
    await retouchArm({ requestsPerSecond: LIMIT }).then(() => undefined);
    const body = JSON.stringify((await simulator.summary()).lastEditBody);
    await pause();
    const rawEdit = async (): Promise<boolean> => {
      try {
        const response = await fetch(`${simulator.url}/v3/images/edits`, {
          method: 'POST',
          headers: { authorization: `Bearer ${simulator.apiKey}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(60_000),
        });
        if (!response.ok) {
          await response.body?.cancel();
          return false;
        }
        const json = (await response.json()) as { data?: unknown[] };
        return Array.isArray(json.data) && json.data.length > 0;
      } catch {
        return false;
      }
    };

    context.log(`Retouch, limit configured (${LIMIT}/s): ${edits} edits`);
    const configured = await measureArm({ simulator, run: () => retouchArm({ requestsPerSecond: LIMIT }) });
    await pause();
    context.log('Retouch, no limit configured (adaptive)');
    const adaptive = await measureArm({ simulator, run: () => retouchArm(undefined) });
    await pause();
    const promiseAll = await measureArm({
      simulator,
      run: () => Promise.all(Array.from({ length: edits }, rawEdit)),
    });
    await pause();
    const limit = pLimit(LIMIT);
    const pLimited = await measureArm({
      simulator,
      run: () => Promise.all(Array.from({ length: edits }, () => limit(rawEdit))),
    });
    for (const [name, arm] of Object.entries({ configured, adaptive, promiseAll, pLimited })) {
      const early = arm.rateLimitedEarlyByMs;
      context.log(
        `${name}: ${arm.succeeded} ok, ${arm.failed} failed, ${arm.rateLimited} 429s, ${arm.requests} requests, ${arm.achievedRate}/s accepted, ${arm.elapsedMs} ms` +
          (early === undefined
            ? ''
            : `; 429s arrived ${early.median} ms (median, max ${early.max} ms) before the window had room`),
      );
    }
    return {
      name: 'rate-adherence',
      summary:
        `limit configured ${configured.rateLimited} 429s at ${configured.rateRatio.toFixed(2)} of limit; ` +
        `adaptive ${adaptive.failed} lost at ${adaptive.rateRatio.toFixed(2)} of limit ` +
        `(baselines: Promise.all ${promiseAll.failed}/${edits} failed, p-limit(10) ${pLimited.failed}/${edits} failed)`,
      targetText: `0 429s and >= ${TARGET_CONFIGURED_RATE.toFixed(2)} configured; 0 lost and >= ${TARGET_ADAPTIVE_RATE.toFixed(2)} adaptive`,
      targets: [
        checkTarget({
          figure: 'configured: 429 count',
          value: configured.rateLimited,
          comparison: '==',
          threshold: 0,
        }),
        checkTarget({
          figure: 'configured: achieved rate / limit',
          value: configured.rateRatio,
          comparison: '>=',
          threshold: TARGET_CONFIGURED_RATE,
        }),
        checkTarget({
          figure: 'configured: failed edits',
          value: configured.failed,
          comparison: '==',
          threshold: 0,
        }),
        checkTarget({
          figure: 'adaptive: requests lost',
          value: adaptive.failed,
          comparison: '==',
          threshold: 0,
        }),
        checkTarget({
          figure: 'adaptive: achieved rate / limit',
          value: adaptive.rateRatio,
          comparison: '>=',
          threshold: TARGET_ADAPTIVE_RATE,
        }),
      ],
      figures: { configured, adaptive },
      baselines: { promiseAll, pLimit10: pLimited },
      parameters: {
        edits,
        limitRequestsPerSecond: LIMIT,
        windowMs: WINDOW_MS,
        simulatedLatencyMs: 0,
        simulator: 'Eden AI, separate process',
      },
      notes: [
        'The adaptive lane starts from the rate Eden AI documents (10/s), the ceiling it never probes past.',
        'The baselines do not retry: each 429 is an edit lost.',
      ],
    };
  } finally {
    await simulator.close();
  }
}

/** Lets the simulator's window empty between arms, so no arm inherits another's requests. */
function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 100));
}

/** Scenario 2: 429s and achieved rate against a sliding-window limit. */
export const rateAdherenceScenario: Scenario = { name: 'rate-adherence', run: runRateAdherence };
