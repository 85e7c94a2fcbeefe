/**
 * Distributed: `@retouch/queue` workers in their own processes, a real redis-server, and the simulators
 * in their own processes. Five parts:
 *
 * - shared limit: 3 workers against an Eden AI simulator that allows 10 requests in any sliding second,
 *   with the limit shared through Redis; baseline in the same run: 3 workers each keeping the limit to
 *   itself (today's single-process lanes);
 * - crash: kill -9 one of 3 workers with jobs in flight, in Oxen's queue mode and with Eden AI's
 *   synchronous edits; every job must settle and none may be paid twice;
 * - shared budget: a $1.00 cap across 3 workers; reserved plus spent must never pass it;
 * - batch restart: `retouch batch` killed (kill -9) mid-run and run again;
 * - scaling: throughput with 1, 2 and 4 workers against Oxen edits that take 500 ms, as ratios to 1.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EditRequest } from '@retouch/core';
import { createEditQueue, createRedisSpendStore, type QueuedEditResult } from '@retouch/queue';
import { createTestImage } from '@retouch/simulator';
import { hasRedisServer, startRedisServer } from '../../scripts/lib/redis-server.ts';
import { until } from '../../scripts/lib/until.ts';
import { type QueueWorkerProcess, startQueueWorker } from '../support/queue-worker-process.ts';
import type { QueueWorkerConfig } from '../support/queue-worker-protocol.ts';
import {
  checkTarget,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
  type TargetCheck,
} from '../support/scenario.ts';
import { type SimulatorProcess, startSimulatorProcess } from '../support/simulator-process.ts';
import { round } from '../support/statistics.ts';

const LIMIT = 10;
const WINDOW_MS = 1_000;
const TARGET_SHARED_RATE = 0.9;
/** How soon a killed worker's jobs are taken over: short, so the crash parts stay short. */
const LOCK_MS = 1_500;
const STALLED_CHECK_MS = 300;
const TARGET_SPEEDUP = { two: 1.6, four: 2.6 };
/** Jobs each worker runs at once in the scaling arms. */
const SCALING_CONCURRENCY = 4;

interface Sizes {
  sharedEdits: number;
  baselineEdits: number;
  crashEdits: number;
  budgetEdits: number;
  batchLines: number;
  /** Rounds of edits per worker slot in each scaling arm: every arm has the same number of rounds. */
  scalingRounds: number;
}

const SIZES: Record<'quick' | 'full', Sizes> = {
  quick: {
    sharedEdits: 60,
    baselineEdits: 20,
    crashEdits: 9,
    budgetEdits: 45,
    batchLines: 10,
    scalingRounds: 3,
  },
  full: {
    sharedEdits: 300,
    baselineEdits: 100,
    crashEdits: 30,
    budgetEdits: 60,
    batchLines: 30,
    scalingRounds: 8,
  },
};

async function runDistributed(context: ScenarioContext): Promise<ScenarioResult> {
  if (!hasRedisServer) {
    return {
      name: 'distributed',
      summary: 'skipped: redis-server is not installed (apt-get install -y redis-server; CI installs it)',
      targetText: 'none measured',
      targets: [],
      figures: {},
      baselines: {},
      parameters: {},
      notes: [],
    };
  }
  const sizes = SIZES[context.mode];
  const directory = mkdtempSync(join(tmpdir(), 'retouch-bench-distributed-'));
  const redis = await startRedisServer();
  const workers: QueueWorkerProcess[] = [];
  const simulators: SimulatorProcess[] = [];
  let sequence = 0;
  const names = (label: string) => `${label}-${++sequence}`;
  const startWorkers = async (
    count: number,
    config: Omit<QueueWorkerConfig, 'redisUrl' | 'output'> & { accounts?: string[] },
  ) => {
    const started = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        startQueueWorker({
          ...config,
          account: config.accounts?.[index] ?? config.account,
          redisUrl: redis.url,
          output: join(directory, 'outputs'),
        }),
      ),
    );
    workers.push(...started);
    return started;
  };
  const stopWorkers = async (list: QueueWorkerProcess[]) => {
    await Promise.all(list.map((worker) => worker.close()));
  };
  const simulator = async (config: Parameters<typeof startSimulatorProcess>[0]) => {
    const started = await startSimulatorProcess(config);
    simulators.push(started);
    return started;
  };
  const runQueue = async (options: {
    queue: string;
    requests: EditRequest[];
    during?: () => Promise<void>;
  }): Promise<{ results: PromiseSettledResult<QueuedEditResult>[]; elapsedMs: number }> => {
    const queue = createEditQueue({ connection: redis.url, name: options.queue });
    try {
      const started = performance.now();
      const edits = await queue.addBulk(options.requests.map((request) => ({ request })));
      const settled = Promise.allSettled(edits.map((edit) => edit.result({ timeoutMs: 120_000 })));
      await options.during?.();
      const results = await settled;
      return { results, elapsedMs: performance.now() - started };
    } finally {
      await queue.close();
    }
  };
  // A model whose outputs come back inline and a small picture sent in the body: one request an edit.
  // (The simulator serves other models' result files from its own host, where the workers' downloads
  // of the outputs would count against the account's window as well.)
  const picture = `data:image/png;base64,${Buffer.from(createTestImage({ width: 32, height: 32 })).toString('base64')}`;
  const edenRequest = (index: number): EditRequest => ({
    model: 'edenai:openai/gpt-image-1-mini',
    prompt: `edit ${index}`,
    images: [picture],
    providerOptions: { edenai: { transport: 'multipart' } },
    timeoutMs: 120_000,
  });
  const oxenRequest = (index: number): EditRequest => ({
    model: 'oxen:qwen-image-edit',
    prompt: `edit ${index}`,
    images: ['https://example.com/beach.png'],
    timeoutMs: 120_000,
  });

  try {
    // Shared limit, and the baseline of workers that each keep the limit to themselves.
    const eden = await simulator({
      provider: 'edenai',
      options: { rateLimit: { requestsPerSecond: LIMIT, windowMs: WINDOW_MS } },
    });
    const edenWorker = {
      queue: '',
      account: '',
      provider: 'edenai' as const,
      simulatorUrl: eden.url,
      apiKey: eden.apiKey,
      limits: { edenai: { requestsPerSecond: LIMIT, concurrency: 16 } },
      concurrency: 8,
      lockDurationMs: LOCK_MS,
      stalledIntervalMs: STALLED_CHECK_MS,
    };
    const measureRate = async (options: { edits: number; shared: boolean }) => {
      const queue = names('rate');
      const list = await startWorkers(3, {
        ...edenWorker,
        queue,
        account: queue,
        ...(options.shared ? {} : { accounts: [1, 2, 3].map((index) => `${queue}-alone-${index}`) }),
      });
      // Warm-up: each worker reads the model catalogue once (a request in the window too) before
      // the measured edits, so the figure is the steady rate and not the first second's reads.
      await runQueue({ queue, requests: Array.from({ length: 6 }, (_, index) => edenRequest(-1 - index)) });
      await pause();
      await eden.clear();
      const { results } = await runQueue({
        queue,
        requests: Array.from({ length: options.edits }, (_, index) => edenRequest(index)),
      });
      const summary = await eden.summary();
      await stopWorkers(list);
      await pause();
      // A failed edit is reported with its reason, so a miss says what went wrong.
      const reasons = results.flatMap((result) =>
        result.status === 'rejected'
          ? [
              result.reason instanceof Error
                ? `${result.reason.name}: ${result.reason.message}`
                : String(result.reason),
            ]
          : [],
      );
      for (const reason of [...new Set(reasons)].slice(0, 3)) context.log(`  failed edit: ${reason}`);
      const first = Math.min(...summary.acceptedEditTimes);
      const perSecond: number[] = [];
      for (const at of summary.acceptedEditTimes) {
        const second = Math.floor((at - first) / 1_000);
        perSecond[second] = (perSecond[second] ?? 0) + 1;
      }
      return {
        edits: options.edits,
        acceptedPerSecond: [...perSecond].map((count) => count ?? 0),
        succeeded: results.filter((result) => result.status === 'fulfilled').length,
        rateLimited: summary.rateLimited,
        requests: summary.requests,
        rateRatio: round(achievedRate(summary.acceptedEditTimes) / LIMIT, 3),
      };
    };
    context.log(
      `shared limit: 3 workers, ${sizes.sharedEdits} Eden AI edits, ${LIMIT}/s shared through Redis`,
    );
    const shared = await measureRate({ edits: sizes.sharedEdits, shared: true });
    context.log(`baseline: 3 workers each keeping ${LIMIT}/s to itself, ${sizes.baselineEdits} edits`);
    const alone = await measureRate({ edits: sizes.baselineEdits, shared: false });
    context.log(`shared: ${JSON.stringify(shared)}; alone: ${JSON.stringify(alone)}`);

    // Crash: kill -9 one of three workers while it has jobs in flight.
    const crash = async (options: { provider: 'oxen' | 'edenai' }) => {
      const simulated =
        options.provider === 'oxen'
          ? await simulator({ provider: 'oxen', options: { jobDurationMs: 1_200 } })
          : await simulator({
              provider: 'edenai',
              options: { editDelayMs: 1_200, rateLimit: { requestsPerSecond: LIMIT, windowMs: WINDOW_MS } },
            });
      const queue = names(`crash-${options.provider}`);
      const list = await startWorkers(3, {
        queue,
        account: queue,
        provider: options.provider,
        simulatorUrl: simulated.url,
        apiKey: simulated.apiKey,
        ...(options.provider === 'oxen' ? { oxenMode: 'queue' as const } : {}),
        limits:
          options.provider === 'oxen'
            ? { oxen: { concurrency: 32 } }
            : { edenai: { requestsPerSecond: LIMIT, concurrency: 32 } },
        concurrency: 3,
        lockDurationMs: LOCK_MS,
        stalledIntervalMs: STALLED_CHECK_MS,
      });
      const victim = list[0]!;
      let killedWith = 0;
      const { results } = await runQueue({
        queue,
        requests: Array.from({ length: sizes.crashEdits }, (_, index) =>
          options.provider === 'oxen' ? oxenRequest(index) : edenRequest(index),
        ),
        during: async () => {
          // In flight: accepted provider jobs (Oxen), or requests sent and not answered (Eden AI); a
          // moment later they are surely at the provider (and, for Oxen, their snapshots stored).
          const inFlight = () =>
            (options.provider === 'oxen' ? victim.counts.accepted : victim.counts.sent) -
            victim.counts.settled;
          await until(() => inFlight() >= 2, 30_000);
          await new Promise((resolve) => setTimeout(resolve, 100));
          killedWith = inFlight();
          await victim.kill();
        },
      });
      const summary = await simulated.summary();
      await stopWorkers(list.slice(1));
      const completed = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      const failedNames = results.flatMap((result) =>
        result.status === 'rejected' ? [(result.reason as { errorName?: string }).errorName ?? 'Error'] : [],
      );
      return {
        edits: sizes.crashEdits,
        killedWithInFlight: killedWith,
        settled: results.length,
        completed: completed.length,
        resumed: completed.filter((result) => result.resumed).length,
        possiblyBilled: failedNames.filter((name) => name === 'PossiblyBilledError').length,
        otherFailures: failedNames.filter((name) => name !== 'PossiblyBilledError'),
        billable: summary.billable,
        duplicates: summary.billablePrompts.length - new Set(summary.billablePrompts).size,
      };
    };
    context.log(`crash: kill -9 one of 3 workers, ${sizes.crashEdits} edits, Oxen queue mode`);
    const crashOxen = await crash({ provider: 'oxen' });
    context.log(`crash: kill -9 one of 3 workers, ${sizes.crashEdits} edits, Eden AI sync`);
    const crashEden = await crash({ provider: 'edenai' });
    context.log(`crash oxen: ${JSON.stringify(crashOxen)}; crash edenai: ${JSON.stringify(crashEden)}`);

    // Shared budget: $1.00 across three workers, each edit estimated and reported at $0.03.
    const oxen = await simulator({ provider: 'oxen', options: { syncEditDelayMs: 50 } });
    const budgetName = names('budget');
    const budgetQueue = names('budget');
    const budgetWorkers = await startWorkers(3, {
      queue: budgetQueue,
      account: budgetQueue,
      provider: 'oxen',
      simulatorUrl: oxen.url,
      apiKey: oxen.apiKey,
      oxenMode: 'sync',
      limits: { oxen: { concurrency: 32 } },
      concurrency: 4,
      lockDurationMs: LOCK_MS,
      stalledIntervalMs: STALLED_CHECK_MS,
      budget: { maxUsd: 1, name: budgetName },
    });
    await oxen.clear();
    const budgetRun = await runQueue({
      queue: budgetQueue,
      requests: Array.from({ length: sizes.budgetEdits }, (_, index) => oxenRequest(index)),
    });
    await stopWorkers(budgetWorkers);
    const store = createRedisSpendStore({ connection: redis.url, name: budgetName });
    const usage = await store.usage();
    await store.close();
    const budget = {
      capUsd: 1,
      edits: sizes.budgetEdits,
      completed: budgetRun.results.filter((result) => result.status === 'fulfilled').length,
      refused: budgetRun.results.filter(
        (result) =>
          result.status === 'rejected' &&
          (result.reason as { errorName?: string }).errorName === 'BudgetExceededError',
      ).length,
      billable: (await oxen.summary()).billable,
      ...usage,
    };
    context.log(`budget: ${JSON.stringify(budget)}`);

    // Batch restart: the CLI killed mid-run, then run again.
    const batch = await batchRestart({
      directory,
      lines: sizes.batchLines,
      simulator: await simulator({ provider: 'oxen', options: { jobDurationMs: 500 } }),
    });
    context.log(`batch restart: ${JSON.stringify(batch)}`);

    // Scaling: 1, 2 and 4 workers, Oxen sync edits that take 500 ms, 4 jobs at once per worker.
    const slow = await simulator({ provider: 'oxen', options: { syncEditDelayMs: 500 } });
    const throughput: Record<string, number> = {};
    for (const count of [1, 2, 4]) {
      const queue = names('scaling');
      const list = await startWorkers(count, {
        queue,
        account: queue,
        provider: 'oxen',
        simulatorUrl: slow.url,
        apiKey: slow.apiKey,
        oxenMode: 'sync',
        limits: { oxen: { concurrency: 64 } },
        concurrency: SCALING_CONCURRENCY,
        lockDurationMs: LOCK_MS,
        stalledIntervalMs: STALLED_CHECK_MS,
      });
      const edits = sizes.scalingRounds * SCALING_CONCURRENCY * count;
      const run = await runQueue({
        queue,
        requests: Array.from({ length: edits }, (_, index) => oxenRequest(index)),
      });
      await stopWorkers(list);
      throughput[`workers${count}`] = round(edits / (run.elapsedMs / 1_000), 2);
      context.log(`scaling: ${count} worker(s), ${edits} edits in ${Math.round(run.elapsedMs)} ms`);
    }
    const speedup = {
      two: round(throughput.workers2! / throughput.workers1!, 2),
      four: round(throughput.workers4! / throughput.workers1!, 2),
    };

    const targets: TargetCheck[] = [
      checkTarget({
        figure: 'shared limit: 429 count',
        value: shared.rateLimited,
        comparison: '==',
        threshold: 0,
      }),
      checkTarget({
        figure: 'shared limit: accepted rate / limit, 3 workers together',
        value: shared.rateRatio,
        comparison: '>=',
        threshold: TARGET_SHARED_RATE,
      }),
      checkTarget({
        figure: 'shared limit: failed edits',
        value: shared.edits - shared.succeeded,
        comparison: '==',
        threshold: 0,
      }),
      ...[
        ['oxen queue', crashOxen],
        ['edenai sync', crashEden],
      ].flatMap(([label, figures]) => {
        const crashFigures = figures as typeof crashOxen;
        return [
          checkTarget({
            figure: `crash ${label}: jobs settled / edits`,
            value: crashFigures.settled / crashFigures.edits,
            comparison: '==',
            threshold: 1,
          }),
          checkTarget({
            figure: `crash ${label}: billable submissions - edits`,
            value: crashFigures.billable - crashFigures.edits,
            comparison: '==',
            threshold: 0,
          }),
          checkTarget({
            figure: `crash ${label}: duplicate submissions`,
            value: crashFigures.duplicates,
            comparison: '==',
            threshold: 0,
          }),
          checkTarget({
            figure: `crash ${label}: failures other than possibly billed`,
            value: crashFigures.otherFailures.length,
            comparison: '==',
            threshold: 0,
          }),
        ];
      }),
      checkTarget({
        figure: 'crash oxen queue: killed jobs resumed, not sent again',
        value: crashOxen.resumed >= 1 ? 1 : 0,
        comparison: '==',
        threshold: 1,
      }),
      checkTarget({
        figure: 'budget: peak reserved + spent / cap',
        value: round(budget.peakCommittedUsd / budget.capUsd, 4),
        comparison: '<=',
        threshold: 1,
      }),
      checkTarget({
        figure: 'budget: billable submissions - completed edits',
        value: budget.billable - budget.completed,
        comparison: '==',
        threshold: 0,
      }),
      checkTarget({
        figure: 'batch restart: lines in the report / lines',
        value: batch.reportedLines / batch.lines,
        comparison: '==',
        threshold: 1,
      }),
      checkTarget({
        figure: 'batch restart: duplicate submissions',
        value: batch.duplicates,
        comparison: '==',
        threshold: 0,
      }),
      checkTarget({
        figure: 'batch restart: lines not succeeded',
        value: batch.lines - batch.succeeded,
        comparison: '==',
        threshold: 0,
      }),
      checkTarget({
        figure: 'scaling: throughput 2 workers / 1',
        value: speedup.two,
        comparison: '>=',
        threshold: TARGET_SPEEDUP.two,
      }),
      checkTarget({
        figure: 'scaling: throughput 4 workers / 1',
        value: speedup.four,
        comparison: '>=',
        threshold: TARGET_SPEEDUP.four,
      }),
    ];
    return {
      name: 'distributed',
      summary:
        `shared limit ${shared.rateLimited} 429s at ${shared.rateRatio.toFixed(2)} of limit (each worker alone: ${alone.rateLimited} 429s); ` +
        `crash oxen ${crashOxen.settled}/${crashOxen.edits} settled, ${crashOxen.billable} billed, ${crashOxen.resumed} resumed; ` +
        `crash edenai ${crashEden.settled}/${crashEden.edits} settled, ${crashEden.billable} billed, ${crashEden.possiblyBilled} possibly billed; ` +
        `budget peak ${round(budget.peakCommittedUsd, 4)} of $1.00; ` +
        `batch restart ${batch.succeeded}/${batch.lines} lines, ${batch.billable} billed; ` +
        `scaling ×${speedup.two} with 2 workers, ×${speedup.four} with 4`,
      targetText:
        `0 429s and >= ${TARGET_SHARED_RATE.toFixed(2)} shared; every crashed job settled, billed once; budget peak <= cap; ` +
        `batch restart complete, billed once; scaling >= ${TARGET_SPEEDUP.two} and >= ${TARGET_SPEEDUP.four}`,
      targets,
      figures: { shared, crashOxen, crashEden, budget, batch, throughput, speedup },
      baselines: { eachWorkerAlone: alone, oneWorkerThroughput: throughput.workers1 },
      parameters: {
        ...sizes,
        limitRequestsPerSecond: LIMIT,
        windowMs: WINDOW_MS,
        lockDurationMs: LOCK_MS,
        stalledIntervalMs: STALLED_CHECK_MS,
        scalingLatencyMs: 500,
        scalingConcurrencyPerWorker: SCALING_CONCURRENCY,
        redis: 'redis-server on 127.0.0.1, own process',
      },
      notes: [
        'Each worker, and each simulator, is its own process; the producer runs in the benchmark process.',
        'Eden AI edits use openai/gpt-image-1-mini (outputs inline) with a 32x32 picture in a multipart body: one request an edit, no download.',
        'Each scaling arm runs the same number of rounds (edits = rounds x 4 slots x workers); throughput is edits per second from adding to the last result.',
      ],
    };
  } finally {
    await Promise.allSettled(workers.map((worker) => worker.kill()));
    await Promise.allSettled(simulators.map((each) => each.close()));
    await redis.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** `retouch batch` in its own process against an Oxen simulator in another, killed once and run again. */
async function batchRestart(options: { directory: string; lines: number; simulator: SimulatorProcess }) {
  const cwd = join(options.directory, 'batch');
  rmSync(cwd, { recursive: true, force: true });
  mkdirSync(cwd, { recursive: true });
  const manifest = Array.from({ length: options.lines }, (_, index) =>
    JSON.stringify({
      model: 'oxen:qwen-image-edit',
      prompt: `line ${index + 1}`,
      images: ['https://example.com/beach.png'],
    }),
  ).join('\n');
  writeFileSync(join(cwd, 'manifest.jsonl'), `${manifest}\n`);
  const bin = fileURLToPath(new URL('../../packages/cli/src/bin.ts', import.meta.url));
  const argv = [
    '--conditions=@retouch/source',
    bin,
    'batch',
    'manifest.jsonl',
    '--out',
    'out',
    '--oxen-mode',
    'queue',
    '--concurrency',
    '4',
  ];
  const env = {
    PATH: process.env.PATH ?? '',
    OXEN_API_KEY: options.simulator.apiKey,
    OXEN_BASE_URL: options.simulator.url,
  };
  const launch = () => {
    // The Node binary itself, not the node_modules/.bin shim: a kill -9 must reach the batch.
    const child = spawn(process.execPath, argv, { cwd, env, stdio: ['ignore', 'ignore', 'ignore'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, exited };
  };
  const journal = () => {
    const state = new Map<number, string>();
    let text = '';
    try {
      text = readFileSync(join(cwd, 'out', 'journal.jsonl'), 'utf8');
    } catch {
      return state;
    }
    for (const line of text.split('\n')) {
      try {
        const record = JSON.parse(line) as { type: string; line?: number };
        if (record.line !== undefined) state.set(record.line, record.type);
      } catch {
        // a line cut by the kill
      }
    }
    return state;
  };
  await options.simulator.clear();
  const first = launch();
  // Killed while some lines wait on accepted provider jobs and none is between sending and journaling.
  await until(() => {
    const states = [...journal().values()];
    return (
      states.filter((type) => type === 'done').length >= 2 &&
      states.includes('accepted') &&
      !states.includes('sent')
    );
  }, 60_000).catch(() => undefined);
  first.child.kill('SIGKILL');
  await first.exited;
  const doneAtKill = [...journal().values()].filter((type) => type === 'done').length;
  const second = launch();
  const exitCode = await second.exited;
  const results = JSON.parse(readFileSync(join(cwd, 'out', 'results.json'), 'utf8')) as {
    runs: { repeat: number; status: string }[];
    batch: { resumed: number; fromEarlierRuns: number };
  };
  const summary = await options.simulator.summary();
  return {
    lines: options.lines,
    doneAtKill,
    exitCode,
    reportedLines: new Set(results.runs.map((run) => run.repeat)).size,
    succeeded: results.runs.filter((run) => run.status === 'succeeded').length,
    resumed: results.batch.resumed,
    billable: summary.billable,
    duplicates: summary.billablePrompts.length - new Set(summary.billablePrompts).size,
  };
}

function achievedRate(times: number[]): number {
  if (times.length === 0) return 0;
  const sorted = [...times].sort((a, b) => a - b);
  return (sorted.length / (sorted.at(-1)! - sorted[0]! + WINDOW_MS)) * 1000;
}

/** Lets the simulator's window empty between arms. */
function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 100));
}

/** Scenario 6: the queue's guarantees across worker processes. */
export const distributedScenario: Scenario = { name: 'distributed', run: runDistributed };
