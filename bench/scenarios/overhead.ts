/**
 * Overhead: what Retouch costs a client per edit, against two references measured in the same run, each
 * server in its own process.
 *
 * - Throughput: the same synchronous Oxen edits, at the same concurrency, through `retouch.edit` and
 *   through a hand-written `fetch` loop that sends the body Retouch sent. Nothing is faster than that
 *   loop, so it is the ceiling.
 * - Client CPU per edit: the same Eden AI edit through Retouch and through the AI SDK's `generateImage`
 *   with `@ai-sdk/openai`, at one endpoint (see `ai-sdk-overhead.ts`): the client people pick instead.
 *
 * Each comparison runs in alternating paired rounds (see `paired-rounds.ts`); the figures are the medians
 * of the pairs' ratios. The raw loop's CPU is reported too, as context.
 */
import { createRetouch } from '@retouch/core';
import { createOxen } from '@retouch/provider-oxen';
import { type AiSdkComparison, measureAgainstAiSdk } from '../support/ai-sdk-overhead.ts';
import { OVERHEAD_CONCURRENCY, overheadRequest } from '../support/overhead-edit.ts';
import {
  cpuMsPerEdit,
  editsPerSecond,
  measureServedRounds,
  type PairedRounds,
  type ServedRounds,
} from '../support/paired-rounds.ts';
import {
  checkTarget,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
} from '../support/scenario.ts';
import { startSimulatorProcess } from '../support/simulator-process.ts';
import { round } from '../support/statistics.ts';
import { measureTracingOverhead } from '../support/tracing-overhead.ts';

/** Retouch's throughput, at least this fraction of the raw fetch loop's. */
const TARGET_THROUGHPUT_RATIO = 0.95;
/** Client CPU per edit through Retouch, at most this multiple of the AI SDK's. */
const TARGET_CPU_RATIO = 1.0;
/** Client CPU per edit with an OpenTelemetry SDK registered, at most this multiple of it without. */
const TARGET_TRACING_CPU_RATIO = 1.2;

const EDIT_ROUTE = 'POST /api/ai/images/edit';

type RawLoopComparison = ServedRounds;

async function measureAgainstRawLoop(options: {
  edits: number;
  roundsPerArm: number;
  warmupEditsPerArm: number;
}): Promise<RawLoopComparison> {
  const simulator = await startSimulatorProcess({ provider: 'oxen', options: { syncEditDelayMs: 0 } });
  const oxen = createOxen({ apiKey: simulator.apiKey, baseURL: simulator.url, mode: 'sync' });
  const retouch = createRetouch({
    providers: [oxen],
    limits: { oxen: { concurrency: OVERHEAD_CONCURRENCY } },
  });
  try {
    // One edit through Retouch first: the body it sends is the body the fetch loop sends.
    await simulator.clear();
    const first = await retouch.edit(overheadRequest);
    if (first.images[0]?.url === undefined) throw new Error('overhead: the Retouch edit returned no URL');
    const recorded = await simulator.summary();
    if (recorded.byRoute[EDIT_ROUTE] !== 1) {
      throw new Error(
        `overhead: expected one edit request, the simulator saw ${JSON.stringify(recorded.byRoute)}`,
      );
    }
    const body = JSON.stringify(recorded.lastEditBody);
    const rawEdit = async (): Promise<boolean> => {
      const response = await fetch(`${simulator.url}/api/ai/images/edit`, {
        method: 'POST',
        headers: { authorization: `Bearer ${simulator.apiKey}`, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(60_000),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return false;
      }
      const json = (await response.json()) as { images?: { url?: string }[] };
      return typeof json.images?.[0]?.url === 'string';
    };
    const retouchEdit = async (): Promise<boolean> =>
      typeof (await retouch.edit(overheadRequest)).images[0]?.url === 'string';
    return await measureServedRounds({
      simulator,
      editRoute: EDIT_ROUTE,
      measured: retouchEdit,
      baseline: rawEdit,
      concurrency: OVERHEAD_CONCURRENCY,
      edits: options.edits,
      roundsPerArm: options.roundsPerArm,
      warmupEditsPerArm: options.warmupEditsPerArm,
    });
  } finally {
    await retouch.close();
    await simulator.close();
  }
}

function describeRounds(options: {
  context: ScenarioContext;
  rounds: PairedRounds;
  measuredName: string;
  baselineName: string;
}): void {
  const { context, rounds } = options;
  const arm = (name: string, totals: PairedRounds['measured']) =>
    `${name} ${round(editsPerSecond(totals), 0)} edits/s (${round(cpuMsPerEdit(totals), 3)} ms client CPU/edit)`;
  const list = (values: number[]) => values.map((value) => value.toFixed(2)).join(', ');
  context.log(`${arm(options.baselineName, rounds.baseline)}, ${arm(options.measuredName, rounds.measured)}`);
  context.log(
    `  throughput ratio per pair of rounds: ${list(rounds.throughputRatios)}; median ${rounds.throughputRatio.toFixed(3)}, pooled ${rounds.pooledThroughputRatio.toFixed(3)}`,
  );
  context.log(
    `  client CPU ratio per pair of rounds: ${list(rounds.cpuRatios)}; median ${rounds.cpuRatio.toFixed(3)}, pooled ${rounds.pooledCpuRatio.toFixed(3)}`,
  );
}

function roundsFigures(rounds: PairedRounds): Record<string, unknown> {
  return {
    throughputRatio: round(rounds.throughputRatio, 3),
    throughputPairRatios: rounds.throughputRatios.map((value) => round(value, 3)),
    pooledThroughputRatio: round(rounds.pooledThroughputRatio, 3),
    clientCpuRatio: round(rounds.cpuRatio, 3),
    clientCpuPairRatios: rounds.cpuRatios.map((value) => round(value, 3)),
    pooledClientCpuRatio: round(rounds.pooledCpuRatio, 3),
    retouchEditsPerSecond: round(editsPerSecond(rounds.measured), 1),
    retouchClientCpuMsPerEdit: round(cpuMsPerEdit(rounds.measured), 4),
  };
}

async function runOverhead(context: ScenarioContext): Promise<ScenarioResult> {
  const quick = context.mode === 'quick';
  // Enough warm-up for the JIT to finish with every path before the CPU is counted: with fewer, the
  // quick run's CPU ratios mostly measured compilation.
  const rawSizes = quick
    ? { edits: 600, roundsPerArm: 6, warmupEditsPerArm: 200 }
    : { edits: 2_000, roundsPerArm: 8, warmupEditsPerArm: 400 };
  // The Eden AI simulator serves these edits several times faster than Oxen's, so more of them keep
  // each round long enough (a few hundred milliseconds) for its CPU figure to mean something.
  const aiSdkSizes = quick
    ? { edits: 1_200, roundsPerArm: 6, warmupEditsPerArm: 200 }
    : { edits: 3_200, roundsPerArm: 8, warmupEditsPerArm: 400 };
  const raw = await measureAgainstRawLoop(rawSizes);
  describeRounds({ context, rounds: raw, measuredName: 'retouch (Oxen)', baselineName: 'raw fetch' });
  const aiSdk: AiSdkComparison = await measureAgainstAiSdk(aiSdkSizes);
  describeRounds({
    context,
    rounds: aiSdk,
    measuredName: 'retouch (Eden AI)',
    baselineName: 'AI SDK generateImage',
  });
  // Tracing on against off is one client's CPU against itself: fewer edits suffice in a quick run.
  const tracingSizes = quick ? { edits: 400, roundsPerArm: 4, warmupEditsPerArm: 150 } : rawSizes;
  const tracing = await measureTracingOverhead(tracingSizes);
  describeRounds({
    context,
    rounds: tracing,
    measuredName: 'retouch, tracing on',
    baselineName: 'retouch, tracing off',
  });
  // A figure of failed edits measures nothing: the run is broken, not slow.
  const failures = {
    'tracing on': tracing.measured.failures,
    'tracing off': tracing.baseline.failures,
    'Retouch (Oxen)': raw.measured.failures,
    'raw fetch': raw.baseline.failures,
    'Retouch (Eden AI)': aiSdk.measured.failures,
    'AI SDK': aiSdk.baseline.failures,
  };
  if (Object.values(failures).some((count) => count > 0)) {
    throw new Error(
      `overhead: edits failed (${Object.entries(failures)
        .map(([arm, count]) => `${arm} ${count}`)
        .join(', ')}); the figures would be meaningless`,
    );
  }
  return {
    name: 'overhead',
    summary:
      `${raw.throughputRatio.toFixed(2)} throughput ratio retouch/raw-fetch, ` +
      `${aiSdk.cpuRatio.toFixed(2)}x the AI SDK's client CPU per edit ` +
      `(raw loop's: ${raw.cpuRatio.toFixed(2)}x), ` +
      `${tracing.cpuRatio.toFixed(2)}x the client CPU per edit with tracing on`,
    targetText: `>= ${TARGET_THROUGHPUT_RATIO.toFixed(2)}, CPU <= ${TARGET_CPU_RATIO.toFixed(2)}x the AI SDK's, tracing on <= ${TARGET_TRACING_CPU_RATIO.toFixed(2)}x off`,
    targets: [
      checkTarget({
        figure: 'throughput ratio retouch/raw-fetch',
        value: round(raw.throughputRatio, 3),
        comparison: '>=',
        threshold: TARGET_THROUGHPUT_RATIO,
      }),
      checkTarget({
        figure: 'client CPU per edit, ratio retouch/AI SDK',
        value: round(aiSdk.cpuRatio, 3),
        comparison: '<=',
        threshold: TARGET_CPU_RATIO,
      }),
      checkTarget({
        figure: 'client CPU per edit, ratio tracing on/off',
        value: round(tracing.cpuRatio, 3),
        comparison: '<=',
        threshold: TARGET_TRACING_CPU_RATIO,
      }),
    ],
    figures: {
      againstRawLoop: roundsFigures(raw),
      againstAiSdk: roundsFigures(aiSdk),
      tracingOnAgainstOff: { ...roundsFigures(tracing), spansExported: tracing.spansExported },
    },
    baselines: {
      rawFetchEditsPerSecond: round(editsPerSecond(raw.baseline), 1),
      rawFetchClientCpuMsPerEdit: round(cpuMsPerEdit(raw.baseline), 4),
      aiSdkEditsPerSecond: round(editsPerSecond(aiSdk.baseline), 1),
      aiSdkClientCpuMsPerEdit: round(cpuMsPerEdit(aiSdk.baseline), 4),
    },
    parameters: {
      againstRawLoop: { ...rawSizes, edit: 'Oxen sync, URL input and output, no simulated latency' },
      tracingOnAgainstOff: {
        ...tracingSizes,
        sdk: '@opentelemetry/sdk-trace and sdk-metrics, in-memory exporters, every span kept',
      },
      againstAiSdk: {
        ...aiSdkSizes,
        edit: 'Eden AI POST /v3/images/edits, openai/gpt-image-1-mini, one 32x32 PNG in a multipart body, base64 output',
      },
      concurrency: OVERHEAD_CONCURRENCY,
      simulators: 'Oxen and Eden AI, each in its own process',
    },
    notes: [
      `The Oxen simulator served ${raw.editRequestsServed} edit requests and ${raw.otherRequestsServed} others during the measured rounds; the Eden AI simulator ${aiSdk.editRequestsServed} and ${aiSdk.otherRequestsServed}.`,
      'Client CPU per edit is this process only; the simulators render and encode a PNG per edit in their own processes.',
    ],
  };
}

/**
 * Scenario 1: throughput of `retouch.edit` against a raw `fetch` loop, and client CPU per edit against the
 * AI SDK's `generateImage`.
 */
export const overheadScenario: Scenario = { name: 'overhead', run: runOverhead };
