/**
 * Event-stream fan-in: many Oxen queue jobs, each finishing at a random time after it is enqueued, waited
 * on at once. Retouch with the Oxen adapter in `sse` mode (one shared event stream) against `queue` mode
 * (each job polled every second). Figures: HTTP requests per job (result downloads excluded; none happen,
 * since outputs stay URLs), event streams opened, and completion lag: from the moment the simulator
 * (in its own process) finishes a job to the moment `retouch.edit` resolves.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createRetouch, type EditRequest } from '@retouch/core';
import { createOxen, type OxenMode } from '@retouch/provider-oxen';
import {
  checkTarget,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
} from '../support/scenario.ts';
import { startSimulatorProcess } from '../support/simulator-process.ts';
import { percentile, round, wallClockMs } from '../support/statistics.ts';

const POLL_INTERVAL_MS = 1_000;
const TARGET_REQUESTS_PER_JOB = 1.05;
const TARGET_LAG_P99_MS = 50;

const request: EditRequest = {
  model: 'oxen:qwen-image-edit',
  prompt: 'Add a funny hat',
  images: ['https://example.com/bloxy.png'],
  timeoutMs: 120_000,
};

interface ArmFigures {
  jobs: number;
  succeeded: number;
  failed: number;
  /** Requests the simulator received, result downloads excluded. */
  requests: number;
  requestsPerJob: number;
  /** Requests per route, for the record. */
  byRoute: Record<string, number>;
  eventStreamsOpened: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /**
   * The client's event-loop delay, p99: when it is high, completions waited for the client's own CPU (or
   * for the machine's), not for the event stream.
   */
  clientEventLoopDelayP99Ms: number;
  elapsedMs: number;
}

async function runArm(options: { mode: OxenMode; jobs: number; spreadMs: number }): Promise<ArmFigures> {
  const simulator = await startSimulatorProcess({
    provider: 'oxen',
    options: {},
    finishSpreadMs: options.spreadMs,
  });
  const oxen = createOxen({
    apiKey: simulator.apiKey,
    baseURL: simulator.url,
    mode: options.mode,
    pollIntervalMs: POLL_INTERVAL_MS,
    maxPollIntervalMs: POLL_INTERVAL_MS,
  });
  const retouch = createRetouch({ providers: [oxen] });
  try {
    const done = new Map<string, number>();
    let failed = 0;
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: options.jobs }, async () => {
        try {
          const result = await retouch.edit(request);
          const finishedAt = wallClockMs();
          if (result.jobId === undefined) throw new Error('the result names no job id');
          done.set(result.jobId, finishedAt);
        } catch {
          failed++;
        }
      }),
    );
    const elapsedMs = performance.now() - started;
    loopDelay.disable();
    const summary = await simulator.summary();
    const lags: number[] = [];
    for (const [jobId, clientAt] of done) {
      const serverAt = summary.finishedJobs[jobId];
      if (serverAt !== undefined) lags.push(clientAt - serverAt);
    }
    const byRoute = summary.byRoute;
    const downloads = byRoute['GET /files/:id'] ?? 0;
    const requests = summary.requests - downloads;
    return {
      jobs: options.jobs,
      succeeded: done.size,
      failed,
      requests,
      requestsPerJob: round(requests / options.jobs, 3),
      byRoute,
      eventStreamsOpened: summary.eventStreamsOpened,
      lagP50Ms: round(percentile(lags, 0.5), 1),
      lagP99Ms: round(percentile(lags, 0.99), 1),
      lagMaxMs: round(Math.max(...lags), 1),
      clientEventLoopDelayP99Ms: round(loopDelay.percentile(99) / 1e6, 1),
      elapsedMs: Math.round(elapsedMs),
    };
  } finally {
    await retouch.close();
    await simulator.close();
  }
}

async function runEventFanIn(context: ScenarioContext): Promise<ScenarioResult> {
  const quick = context.mode === 'quick';
  const jobs = quick ? 200 : 1_000;
  const spreadMs = quick ? 2_000 : 5_000;
  context.log(`sse mode: ${jobs} jobs finishing within ${spreadMs} ms of their enqueue`);
  const sse = await runArm({ mode: 'sse', jobs, spreadMs });
  context.log(`queue mode (polling every ${POLL_INTERVAL_MS} ms)`);
  const polling = await runArm({ mode: 'queue', jobs, spreadMs });
  if (sse.failed + polling.failed > 0) {
    throw new Error(
      `event-fan-in: ${sse.failed} jobs failed in sse mode and ${polling.failed} in queue mode; lag and request counts would be meaningless`,
    );
  }
  for (const [name, arm] of Object.entries({ sse, polling })) {
    context.log(
      `${name}: ${arm.succeeded} ok, ${arm.failed} failed, ${arm.requestsPerJob} requests/job, ${arm.eventStreamsOpened} streams, lag p50 ${arm.lagP50Ms} ms p99 ${arm.lagP99Ms} ms max ${arm.lagMaxMs} ms, client event-loop delay p99 ${arm.clientEventLoopDelayP99Ms} ms, ${arm.elapsedMs} ms`,
    );
    context.log(`${name} requests by route: ${JSON.stringify(arm.byRoute)}`);
  }
  return {
    name: 'event-fan-in',
    summary:
      `sse ${sse.requestsPerJob.toFixed(2)} requests/job, ${sse.eventStreamsOpened} stream, lag p50 ${sse.lagP50Ms} ms p99 ${sse.lagP99Ms} ms; ` +
      `polling ${polling.requestsPerJob.toFixed(2)} requests/job, lag p50 ${polling.lagP50Ms} ms p99 ${polling.lagP99Ms} ms`,
    targetText: `sse <= ${TARGET_REQUESTS_PER_JOB} requests/job, 1 stream, p99 <= ${TARGET_LAG_P99_MS} ms`,
    targets: [
      checkTarget({
        figure: 'sse: HTTP requests per job',
        value: sse.requestsPerJob,
        comparison: '<=',
        threshold: TARGET_REQUESTS_PER_JOB,
      }),
      checkTarget({
        figure: 'sse: event streams opened',
        value: sse.eventStreamsOpened,
        comparison: '==',
        threshold: 1,
      }),
      checkTarget({
        figure: 'sse: completion lag p99 (ms)',
        value: sse.lagP99Ms,
        comparison: '<=',
        threshold: TARGET_LAG_P99_MS,
      }),
    ],
    figures: { sse },
    baselines: { polling },
    parameters: {
      jobs,
      finishSpreadMs: spreadMs,
      pollIntervalMs: POLL_INTERVAL_MS,
      laneConcurrency: 'default',
      simulator: 'Oxen, separate process, one per arm',
    },
    notes: [
      'Each job runs for a uniformly random 0 to spread ms after its enqueue (seeded, the same every run).',
      'Lag is measured across processes with wall-clock time; both processes read the same clock.',
    ],
  };
}

/** Scenario 3: completion by one event stream against polling. */
export const eventFanInScenario: Scenario = { name: 'event-fan-in', run: runEventFanIn };
