/**
 * Overhead: the same synchronous Oxen edits, at the same concurrency, against the same simulator (in its
 * own process), once through `retouch.edit` and once through a hand-written `fetch` loop. The figure is
 * the throughput ratio. The arms run in alternating rounds (raw, retouch, retouch, raw, ...), each round
 * of one arm paired with the adjacent round of the other; the figure is the median of the pairs' ratios,
 * so a burst of other work on the machine during one pair does not decide the result.
 */
import { createRetouch } from '@retouch/core';
import { createOxen } from '@retouch/provider-oxen';
import { OVERHEAD_CONCURRENCY, overheadRequest } from '../support/overhead-edit.ts';
import {
  checkTarget,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
} from '../support/scenario.ts';
import { startSimulatorProcess } from '../support/simulator-process.ts';
import { median, round } from '../support/statistics.ts';

const CONCURRENCY = OVERHEAD_CONCURRENCY;
const TARGET_RATIO = 0.9;
/** Client CPU per edit through Retouch, at most this multiple of the raw fetch loop's. */
const TARGET_CPU_RATIO = 1.4;

const request = overheadRequest;

interface ArmTotals {
  edits: number;
  elapsedMs: number;
  /** User + system CPU time of this (the client's) process. */
  cpuMs: number;
  failures: number;
}

async function runOverhead(context: ScenarioContext): Promise<ScenarioResult> {
  const quick = context.mode === 'quick';
  const edits = quick ? 600 : 2_000;
  const roundsPerArm = quick ? 6 : 8;
  // Enough for the JIT to finish with both paths before the CPU is counted: Retouch's has more code
  // to optimize, and with fewer warm-up edits the quick run's CPU ratio mostly measured compilation.
  const warmup = quick ? 200 : 400;
  const simulator = await startSimulatorProcess({ provider: 'oxen', options: { syncEditDelayMs: 0 } });
  const oxen = createOxen({ apiKey: simulator.apiKey, baseURL: simulator.url, mode: 'sync' });
  const retouch = createRetouch({ providers: [oxen], limits: { oxen: { concurrency: CONCURRENCY } } });
  try {
    // One edit through Retouch first: the body it sends is the body the fetch loop sends.
    await simulator.clear();
    const first = await retouch.edit(request);
    if (first.images[0]?.url === undefined) throw new Error('overhead: the Retouch edit returned no URL');
    const recorded = await simulator.summary();
    const editRoute = 'POST /api/ai/images/edit';
    if (recorded.byRoute[editRoute] !== 1) {
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
    const rawRound = async (count: number): Promise<number> => {
      let next = 0;
      let failures = 0;
      const worker = async () => {
        while (next < count) {
          next++;
          if (!(await rawEdit().catch(() => false))) failures++;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      return failures;
    };
    const retouchRound = async (count: number): Promise<number> => {
      const outcomes = await Promise.allSettled(Array.from({ length: count }, () => retouch.edit(request)));
      return outcomes.filter((outcome) => outcome.status === 'rejected' || !outcome.value.images[0]?.url)
        .length;
    };
    const measure = async (
      arm: (count: number) => Promise<number>,
      count: number,
      totals: ArmTotals,
    ): Promise<{ rate: number; cpuMsPerEdit: number }> => {
      // The previous round's garbage is collected here, outside either arm's count: otherwise the
      // arm that runs second pays for the first one's (the bench runs with --expose-gc).
      (globalThis as { gc?: () => void }).gc?.();
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      totals.failures += await arm(count);
      const elapsedMs = performance.now() - started;
      totals.elapsedMs += elapsedMs;
      const cpu = process.cpuUsage(cpuBefore);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      totals.cpuMs += cpuMs;
      totals.edits += count;
      return { rate: (count / elapsedMs) * 1000, cpuMsPerEdit: cpuMs / count };
    };

    await rawRound(warmup);
    await retouchRound(warmup);
    await simulator.clear();

    const raw: ArmTotals = { edits: 0, elapsedMs: 0, cpuMs: 0, failures: 0 };
    const wrapped: ArmTotals = { edits: 0, elapsedMs: 0, cpuMs: 0, failures: 0 };
    const perRound = Math.ceil(edits / roundsPerArm);
    const pairRatios: number[] = [];
    const cpuPairRatios: number[] = [];
    for (let index = 0; index < roundsPerArm; index++) {
      const count = Math.min(perRound, edits - index * perRound);
      // ABBA order: neither arm always goes first.
      let rawResult: { rate: number; cpuMsPerEdit: number };
      let retouchResult: { rate: number; cpuMsPerEdit: number };
      if (index % 2 === 0) {
        rawResult = await measure(rawRound, count, raw);
        retouchResult = await measure(retouchRound, count, wrapped);
      } else {
        retouchResult = await measure(retouchRound, count, wrapped);
        rawResult = await measure(rawRound, count, raw);
      }
      pairRatios.push(retouchResult.rate / rawResult.rate);
      cpuPairRatios.push(retouchResult.cpuMsPerEdit / rawResult.cpuMsPerEdit);
    }
    const served = await simulator.summary();
    const rawThroughput = (raw.edits / raw.elapsedMs) * 1000;
    const retouchThroughput = (wrapped.edits / wrapped.elapsedMs) * 1000;
    const pooledRatio = retouchThroughput / rawThroughput;
    const ratio = median(pairRatios);
    const nonEditRequests = served.requests - (served.byRoute[editRoute] ?? 0);
    context.log(
      `raw fetch ${round(rawThroughput, 0)} edits/s (${round(raw.cpuMs / raw.edits, 3)} ms client CPU/edit), ` +
        `retouch ${round(retouchThroughput, 0)} edits/s (${round(wrapped.cpuMs / wrapped.edits, 3)} ms client CPU/edit)`,
    );
    context.log(
      `ratio per pair of rounds: ${pairRatios.map((value) => value.toFixed(2)).join(', ')}; median ${ratio.toFixed(3)}, pooled ${pooledRatio.toFixed(3)}`,
    );
    // A throughput of failed edits measures nothing: the run is broken, not slow.
    if (raw.failures + wrapped.failures > 0) {
      throw new Error(
        `overhead: ${wrapped.failures} Retouch edits and ${raw.failures} raw fetch edits failed; the figures would be meaningless`,
      );
    }
    // Like throughput, the median of paired rounds: a garbage collection or a burst of other work on
    // the machine lands in one round and would otherwise decide the figure.
    const cpuRatio = median(cpuPairRatios);
    const pooledCpuRatio = wrapped.cpuMs / wrapped.edits / (raw.cpuMs / raw.edits);
    context.log(
      `client CPU ratio per pair of rounds: ${cpuPairRatios.map((value) => value.toFixed(2)).join(', ')}; median ${cpuRatio.toFixed(3)}, pooled ${pooledCpuRatio.toFixed(3)}`,
    );
    return {
      name: 'overhead',
      summary: `${ratio.toFixed(2)} throughput ratio retouch/raw-fetch, ${cpuRatio.toFixed(2)}x the raw loop's client CPU per edit`,
      targetText: `>= ${TARGET_RATIO.toFixed(2)}, CPU <= ${TARGET_CPU_RATIO.toFixed(2)}x`,
      targets: [
        checkTarget({
          figure: 'throughput ratio retouch/raw-fetch',
          value: round(ratio, 3),
          comparison: '>=',
          threshold: TARGET_RATIO,
        }),
        checkTarget({
          figure: 'client CPU per edit, ratio retouch/raw-fetch',
          value: round(cpuRatio, 3),
          comparison: '<=',
          threshold: TARGET_CPU_RATIO,
        }),
      ],
      figures: {
        throughputRatio: round(ratio, 3),
        pairRatios: pairRatios.map((value) => round(value, 3)),
        pooledThroughputRatio: round(pooledRatio, 3),
        retouchEditsPerSecond: round(retouchThroughput, 1),
        retouchClientCpuMsPerEdit: round(wrapped.cpuMs / wrapped.edits, 4),
        clientCpuRatio: round(cpuRatio, 3),
        clientCpuPairRatios: cpuPairRatios.map((value) => round(value, 3)),
        pooledClientCpuRatio: round(pooledCpuRatio, 3),
      },
      baselines: {
        rawFetchEditsPerSecond: round(rawThroughput, 1),
        rawFetchClientCpuMsPerEdit: round(raw.cpuMs / raw.edits, 4),
      },
      parameters: {
        editsPerArm: edits,
        roundsPerArm,
        warmupEditsPerArm: warmup,
        concurrency: CONCURRENCY,
        simulatedLatencyMs: 0,
        simulator: 'Oxen, separate process',
      },
      notes: [
        `The simulator served ${served.byRoute[editRoute] ?? 0} edit requests and ${nonEditRequests} others during the measured rounds.`,
        'Client CPU per edit is this process only; the simulator renders and encodes a PNG per edit in its own process.',
      ],
    };
  } finally {
    await retouch.close();
    await simulator.close();
  }
}

/** Scenario 1: throughput of `retouch.edit` against a raw `fetch` loop. */
export const overheadScenario: Scenario = { name: 'overhead', run: runOverhead };
