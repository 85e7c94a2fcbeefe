/**
 * Two arms measured in alternating rounds (A, B, B, A, ...), each round of one arm paired with the
 * adjacent round of the other. The figures are the medians of the pairs' ratios, so a burst of other
 * work on the machine during one pair does not decide the result. CPU is `process.cpuUsage()` of this
 * process, every thread included (the JIT and the garbage collector's helpers count): the server each
 * arm talks to runs in a child process, so its work is not counted.
 */
import { median } from './statistics.ts';

/** Runs `count` edits and resolves with how many of them failed. */
export type RoundRunner = (count: number) => Promise<number>;

/** What one arm did over all its measured rounds. */
export interface ArmTotals {
  edits: number;
  elapsedMs: number;
  /** User + system CPU time of this (the client's) process. */
  cpuMs: number;
  failures: number;
}

/** The figures of a paired measurement: each ratio is the measured arm's over the baseline's. */
export interface PairedRounds {
  measured: ArmTotals;
  baseline: ArmTotals;
  /** Throughput ratio of each pair of rounds. */
  throughputRatios: number[];
  /** Client CPU per edit ratio of each pair of rounds. */
  cpuRatios: number[];
  /** Median of {@link throughputRatios}. */
  throughputRatio: number;
  /** Median of {@link cpuRatios}. */
  cpuRatio: number;
  /** Ratio of the arms' throughputs over all rounds together. */
  pooledThroughputRatio: number;
  /** Ratio of the arms' CPU per edit over all rounds together. */
  pooledCpuRatio: number;
}

/** Edits a second over all of an arm's rounds. */
export function editsPerSecond(totals: ArmTotals): number {
  return (totals.edits / totals.elapsedMs) * 1000;
}

/** Client CPU milliseconds per edit over all of an arm's rounds. */
export function cpuMsPerEdit(totals: ArmTotals): number {
  return totals.cpuMs / totals.edits;
}

/**
 * A round of `concurrency` callers, each sending its next edit as soon as the last one settles: how a
 * hand-written client (or the AI SDK, which has no queue of its own) keeps a fixed number in flight.
 */
export function concurrentCallers(options: {
  concurrency: number;
  edit: () => Promise<boolean>;
}): RoundRunner {
  return async (count) => {
    let next = 0;
    let failures = 0;
    const caller = async (): Promise<void> => {
      while (next < count) {
        next++;
        if (!(await options.edit().catch(() => false))) failures++;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, caller));
    return failures;
  };
}

/** A round submitted all at once, for a client whose own queue keeps the concurrency (Retouch's lanes). */
export function allAtOnce(edit: () => Promise<boolean>): RoundRunner {
  return async (count) => {
    const outcomes = await Promise.all(Array.from({ length: count }, () => edit().catch(() => false)));
    return outcomes.filter((succeeded) => !succeeded).length;
  };
}

async function measureRound(options: {
  run: RoundRunner;
  count: number;
  totals: ArmTotals;
}): Promise<{ rate: number; cpuMsPerEdit: number }> {
  const { count, totals } = options;
  // The previous round's garbage is collected here, outside either arm's count: otherwise the arm that
  // runs second pays for the first one's (the bench runs with --expose-gc).
  (globalThis as { gc?: () => void }).gc?.();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  totals.failures += await options.run(count);
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  totals.elapsedMs += elapsedMs;
  totals.cpuMs += cpuMs;
  totals.edits += count;
  return { rate: (count / elapsedMs) * 1000, cpuMsPerEdit: cpuMs / count };
}

/**
 * Warms both arms up (so the JIT has finished with both paths before anything is counted), then runs
 * `roundsPerArm` rounds of each, `edits` per arm in all, in ABBA order.
 */
export async function measurePairedRounds(options: {
  measured: RoundRunner;
  baseline: RoundRunner;
  edits: number;
  roundsPerArm: number;
  warmupEditsPerArm: number;
  /** Runs after the warm-up, before the first measured round (e.g. to clear the server's records). */
  afterWarmup?: () => Promise<void>;
}): Promise<PairedRounds> {
  await options.baseline(options.warmupEditsPerArm);
  await options.measured(options.warmupEditsPerArm);
  await options.afterWarmup?.();
  const measured: ArmTotals = { edits: 0, elapsedMs: 0, cpuMs: 0, failures: 0 };
  const baseline: ArmTotals = { edits: 0, elapsedMs: 0, cpuMs: 0, failures: 0 };
  const perRound = Math.ceil(options.edits / options.roundsPerArm);
  const throughputRatios: number[] = [];
  const cpuRatios: number[] = [];
  for (let index = 0; index < options.roundsPerArm; index++) {
    const count = Math.min(perRound, options.edits - index * perRound);
    const runBaseline = () => measureRound({ run: options.baseline, count, totals: baseline });
    const runMeasured = () => measureRound({ run: options.measured, count, totals: measured });
    // ABBA order: neither arm always goes first.
    let baselineRound: { rate: number; cpuMsPerEdit: number };
    let measuredRound: { rate: number; cpuMsPerEdit: number };
    if (index % 2 === 0) {
      baselineRound = await runBaseline();
      measuredRound = await runMeasured();
    } else {
      measuredRound = await runMeasured();
      baselineRound = await runBaseline();
    }
    throughputRatios.push(measuredRound.rate / baselineRound.rate);
    cpuRatios.push(measuredRound.cpuMsPerEdit / baselineRound.cpuMsPerEdit);
  }
  return {
    measured,
    baseline,
    throughputRatios,
    cpuRatios,
    throughputRatio: median(throughputRatios),
    cpuRatio: median(cpuRatios),
    pooledThroughputRatio: editsPerSecond(measured) / editsPerSecond(baseline),
    pooledCpuRatio: cpuMsPerEdit(measured) / cpuMsPerEdit(baseline),
  };
}

/** Paired rounds against a simulator, with what it served during the measured rounds. */
export interface ServedRounds extends PairedRounds {
  /** Edit requests the simulator served during the measured rounds. */
  editRequestsServed: number;
  /** Other requests it served then. */
  otherRequestsServed: number;
}

/**
 * Runs {@link measurePairedRounds} of Retouch's `measured` edit (all at once) against a `baseline` of
 * concurrent callers, clearing the simulator after the warm-up, and counts what it served.
 */
export async function measureServedRounds(options: {
  simulator: {
    clear(): Promise<void>;
    summary(): Promise<{ requests: number; byRoute: Record<string, number> }>;
  };
  editRoute: string;
  measured: () => Promise<boolean>;
  baseline: () => Promise<boolean>;
  concurrency: number;
  edits: number;
  roundsPerArm: number;
  warmupEditsPerArm: number;
}): Promise<ServedRounds> {
  const { simulator } = options;
  const rounds = await measurePairedRounds({
    measured: allAtOnce(options.measured),
    baseline: concurrentCallers({ concurrency: options.concurrency, edit: options.baseline }),
    edits: options.edits,
    roundsPerArm: options.roundsPerArm,
    warmupEditsPerArm: options.warmupEditsPerArm,
    afterWarmup: () => simulator.clear(),
  });
  const served = await simulator.summary();
  const editRequestsServed = served.byRoute[options.editRoute] ?? 0;
  return { ...rounds, editRequestsServed, otherRequestsServed: served.requests - editRequestsServed };
}
