/**
 * Oxen.ai's image-edit API as one simulator: its options and handle, over the route groups beside it
 * (synchronous edits, the queue, generations, models, the event stream) and the shared server.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreditBalance } from '../shared/credit-balance.ts';
import { FileStore } from '../shared/file-store.ts';
import type { RemoteImagePolicy } from '../shared/image-source.ts';
import { PendingTimers } from '../shared/pending-timers.ts';
import {
  providerSimulatorHandle,
  type Simulator,
  startProviderServer,
  zeroCounters,
} from '../shared/provider-simulator.ts';
import { OxenEventHub, oxenEventRoutes } from './oxen-event-stream.ts';
import { oxenGenerationRoutes } from './oxen-generation-routes.ts';
import { createOxenJobQueue } from './oxen-job-runner.ts';
import { oxenModelRoutes } from './oxen-model-routes.ts';
import { oxenProfile } from './oxen-profile.ts';
import type { OxenJobInfo, OxenJobTiming } from './oxen-queue.ts';
import { type OxenQueueCounters, oxenQueueRoutes } from './oxen-queue-routes.ts';
import { oxenSyncEditRoutes } from './oxen-sync-edit-routes.ts';

/**
 * Options of {@link startOxenSimulator}.
 *
 * @example
 * const sim = await startOxenSimulator({ jobSchedule: { queuedMs: 0, processingMs: 10 } });
 */
export interface OxenSimulatorOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** The only bearer token accepted. @default 'sim-oxen-key' */
  apiKey?: string;
  /** The namespace billed when a request names no `target_namespace`. @default 'sim-user' */
  defaultNamespace?: string;
  /**
   * How long queued jobs wait and run: fixed times, or a function of the job.
   * @default { queuedMs: 10, processingMs: 50 }
   */
  jobSchedule?: Partial<OxenJobTiming> | ((job: OxenJobInfo) => Partial<OxenJobTiming>);
  /** Shorthand for `jobSchedule.processingMs`. */
  jobDurationMs?: number;
  /** How long a synchronous edit takes before it answers. @default 0 */
  syncEditDelayMs?: number;
  /** Interval of `: keep-alive` comments on idle event streams. @default 15000 */
  keepAliveIntervalMs?: number;
  /** Mix unrelated event types (`deployment_status`, `media_generation_progress`) into event streams. @default true */
  unrelatedEvents?: boolean;
  /** Lifetime of result URLs. @default 600000 (10 minutes) */
  resultTtlMs?: number;
  /** What to do with input URLs on other hosts (see {@link RemoteImagePolicy}). @default 'generate' */
  remoteImages?: RemoteImagePolicy;
  /** USD balance; when set, work that would exceed it is refused with `Insufficient credits`. */
  credits?: number;
  /** Largest JSON body, in bytes. @default 64 MiB */
  maxJsonBodyBytes?: number;
  /**
   * Called when a queued job succeeds or fails, just before its `media_generation_completed` event is
   * sent: the moment a client could learn of it at the earliest, which benchmarks measure lag from.
   */
  onJobFinished?: (job: { generationId: string; status: 'succeeded' | 'failed' }) => void;
  /**
   * A directory the simulator keeps its state in: accepted jobs, result files and the bill. A
   * simulator started again on the same directory finishes the jobs the last one accepted and serves
   * their results, so a client that crashed can resume them. @default in memory only
   */
  stateDirectory?: string;
}

/** Counters for tests and benchmarks. */
export interface OxenSimulatorCounters {
  /** `GET /api/events` streams ever opened. */
  eventStreamsOpened: number;
  /** Event streams open now. */
  eventStreamsOpen: number;
  /** `GET /api/ai/queue/{id}` reads. */
  statusReads: number;
  /** Jobs ever enqueued (one per generation). */
  jobsEnqueued: number;
}

/** A running Oxen simulator. */
export interface OxenSimulator extends Simulator {
  /** Requests accepted for paid work: synchronous edits that ran and enqueue requests. */
  readonly billableCount: number;
  /** Live counters for tests and benchmarks. */
  readonly counters: OxenSimulatorCounters;
  /** Forgets recorded requests and zeroes `billableCount` and the counters (jobs are kept). */
  clearRequests(): void;
  /** The current status of a job, for assertions without an HTTP round trip. */
  jobStatus(generationId: string): string | undefined;
  /** Stops the server, ending streams, hung requests and timers. */
  close(): Promise<void>;
}

function resolveTiming(options: OxenSimulatorOptions): (job: OxenJobInfo) => OxenJobTiming {
  const defaults: OxenJobTiming = { queuedMs: 10, processingMs: options.jobDurationMs ?? 50 };
  const schedule = options.jobSchedule;
  if (typeof schedule === 'function') return (job) => ({ ...defaults, ...schedule(job) });
  return () => ({ ...defaults, ...schedule });
}

/**
 * Starts a local server speaking Oxen.ai's image-edit API: sync edits, the async queue, the event stream,
 * models and generations, with recording and fault injection.
 *
 * @example
 * const sim = await startOxenSimulator();
 * const oxen = createOxen({ apiKey: sim.apiKey, baseURL: sim.url });
 * // ... run the code under test ...
 * expect(sim.billableCount).toBe(1);
 * await sim.close();
 */
export async function startOxenSimulator(options: OxenSimulatorOptions = {}): Promise<OxenSimulator> {
  const apiKey = options.apiKey ?? 'sim-oxen-key';
  const defaultNamespace = options.defaultNamespace ?? 'sim-user';
  const state = options.stateDirectory;
  if (state) mkdirSync(state, { recursive: true });
  const fileStore = new FileStore({
    ttlMs: options.resultTtlMs ?? 10 * 60 * 1000,
    directory: state ? join(state, 'oxen-files') : undefined,
  });
  const inputs = { fileStore, remoteImages: options.remoteImages ?? 'generate' };
  const events = new OxenEventHub({
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? 15_000,
    unrelatedEvents: options.unrelatedEvents ?? true,
  });
  const counters: OxenQueueCounters = { statusReads: 0, jobsEnqueued: 0 };
  const balance = new CreditBalance(options.credits);
  const timers = new PendingTimers();
  const queue = createOxenJobQueue({
    timing: resolveTiming(options),
    inputs,
    balance,
    events,
    onJobFinished: options.onJobFinished,
    stateFile: state ? join(state, 'oxen-jobs.json') : undefined,
  });

  const server = await startProviderServer({
    port: options.port,
    host: options.host,
    apiKey,
    routes: [
      oxenSyncEditRoutes({
        inputs,
        balance,
        queue,
        timers,
        defaultNamespace,
        syncEditDelayMs: options.syncEditDelayMs ?? 0,
      }),
      oxenQueueRoutes({ queue, balance, counters, defaultNamespace }),
      oxenGenerationRoutes({ queue }),
      oxenModelRoutes(),
      oxenEventRoutes({ events }),
    ],
    profile: oxenProfile,
    fileStore,
    timers,
    balance,
    billingFile: state ? join(state, 'oxen-billing.json') : undefined,
    maxJsonBodyBytes: options.maxJsonBodyBytes,
    maxMultipartBodyBytes: 64 * 1024 * 1024,
    onClose: () => {
      queue.close();
      events.close();
    },
  });

  queue.rebase(server.url);
  return providerSimulatorHandle({
    server,
    apiKey,
    credits: () => balance.remaining,
    onClearRequests: () => {
      events.opened = 0;
      zeroCounters(counters);
    },
    extra: {
      counters: {
        get eventStreamsOpened() {
          return events.opened;
        },
        get eventStreamsOpen() {
          return events.openCount;
        },
        get statusReads() {
          return counters.statusReads;
        },
        get jobsEnqueued() {
          return counters.jobsEnqueued;
        },
      },
      jobStatus: (generationId: string) => queue.jobs.get(generationId)?.status,
    },
  });
}
