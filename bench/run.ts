/**
 * Runs the benchmarks: `pnpm bench` (full) or `pnpm bench --quick` (the CI smoke run), optionally
 * `--only name[,name]`. Prints one result line per scenario on stdout, context on stderr, and writes
 * bench/results/latest.json. A missed target is reported, not fatal; a scenario that cannot run is.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { aiSdkStormScenario } from './scenarios/ai-sdk-storm.ts';
import { bundleScenario } from './scenarios/bundle.ts';
import { compareScenario } from './scenarios/compare.ts';
import { distributedScenario } from './scenarios/distributed.ts';
import { eventFanInScenario } from './scenarios/event-fan-in.ts';
import { importCostScenario } from './scenarios/import-cost.ts';
import { memoryScenario } from './scenarios/memory.ts';
import { overheadScenario } from './scenarios/overhead.ts';
import { rateAdherenceScenario } from './scenarios/rate-adherence.ts';
import { machineInfo } from './support/machine.ts';
import { type BenchMode, resultLine, type Scenario, type ScenarioResult } from './support/scenario.ts';

const scenarios: Scenario[] = [
  overheadScenario,
  rateAdherenceScenario,
  eventFanInScenario,
  memoryScenario,
  importCostScenario,
  bundleScenario,
  aiSdkStormScenario,
  distributedScenario,
  compareScenario,
];

/** Longest a scenario may take before the run is declared broken. */
const SCENARIO_TIMEOUT_MS: Record<BenchMode, number> = { quick: 90_000, full: 300_000 };

interface ScenarioRecord extends Partial<ScenarioResult> {
  name: string;
  line: string;
  status: 'met' | 'missed' | 'error';
  durationMs: number;
  /** The machine's one-minute load average when the scenario started. */
  loadAverageAtStart: number;
  error?: string;
}

function parseOptions(): { mode: BenchMode; only: string[] | undefined } {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
    strict: true,
  });
  const only = values.only
    ?.split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of only ?? []) {
    if (!scenarios.some((scenario) => scenario.name === name)) {
      throw new Error(
        `--only: unknown scenario "${name}"; known: ${scenarios.map((s) => s.name).join(', ')}`,
      );
    }
  }
  return { mode: values.quick ? 'quick' : 'full', only };
}

async function withTimeout<T>(options: { promise: Promise<T>; timeoutMs: number; what: string }): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${options.what} did not finish within ${options.timeoutMs / 1000} s`)),
      options.timeoutMs,
    );
  });
  try {
    return await Promise.race([options.promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<number> {
  const { mode, only } = parseOptions();
  const machine = machineInfo();
  const startedAt = new Date();
  const log = (message: string) => process.stderr.write(`  ${message}\n`);
  process.stderr.write(
    `retouch bench (${mode}) on ${machine.cpuCount}x ${machine.cpuModel}, ${machine.totalMemoryMb} MB, Node ${machine.node}, load ${machine.loadAverageAtStart}\n`,
  );
  const records: ScenarioRecord[] = [];
  for (const scenario of scenarios) {
    if (only !== undefined && !only.includes(scenario.name)) continue;
    const loadAverageAtStart = Math.round((loadavg()[0] ?? 0) * 100) / 100;
    process.stderr.write(`\n[${scenario.name}] (load average ${loadAverageAtStart})\n`);
    const started = performance.now();
    try {
      const result = await withTimeout({
        promise: scenario.run({ mode, log }),
        timeoutMs: SCENARIO_TIMEOUT_MS[mode],
        what: `scenario ${scenario.name}`,
      });
      const line = resultLine(result);
      for (const note of result.notes) log(note);
      process.stdout.write(`${line}\n`);
      records.push({
        ...result,
        line,
        status: result.targets.every((target) => target.met) ? 'met' : 'missed',
        durationMs: Math.round(performance.now() - started),
        loadAverageAtStart,
      });
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      const line = `${scenario.name}: error (target not measured; could not run: ${error instanceof Error ? error.message : String(error)})`;
      process.stderr.write(`${message}\n`);
      process.stdout.write(`${line}\n`);
      records.push({
        name: scenario.name,
        line,
        status: 'error',
        durationMs: Math.round(performance.now() - started),
        loadAverageAtStart,
        error: message,
      });
    }
  }
  const report = {
    mode,
    timestamp: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    machine,
    allTargetsMet: records.every((record) => record.status === 'met'),
    scenarios: records,
  };
  const resultsDirectory = new URL('./results/', import.meta.url);
  await mkdir(resultsDirectory, { recursive: true });
  await writeFile(new URL('latest.json', resultsDirectory), `${JSON.stringify(report, null, 2)}\n`);
  const missed = records.filter((record) => record.status === 'missed').map((record) => record.name);
  const errors = records.filter((record) => record.status === 'error').map((record) => record.name);
  process.stderr.write(
    `\n${records.length} scenarios in ${Math.round(report.durationMs / 1000)} s; targets missed: ${missed.join(', ') || 'none'}; could not run: ${errors.join(', ') || 'none'}. Results in bench/results/latest.json\n`,
  );
  return errors.length > 0 ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
}
// Keep-alive sockets and the like must not hold the run open once results are written.
process.exit();
