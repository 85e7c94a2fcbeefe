import type {
  EdenAISimulatorOptions,
  OpenAISimulatorOptions,
  OxenSimulatorOptions,
} from '@retouch/simulator';

/** Which simulator the child runs, with options that survive JSON. */
export type SimulatorChildConfig =
  | {
      provider: 'oxen';
      options: Omit<OxenSimulatorOptions, 'jobSchedule' | 'onJobFinished'>;
      /**
       * Each queued job runs for a uniformly random time between 0 and this many milliseconds after it
       * is enqueued (a seeded generator, so every run draws the same times).
       */
      finishSpreadMs?: number;
    }
  | { provider: 'edenai'; options: EdenAISimulatorOptions }
  | { provider: 'openai'; options: OpenAISimulatorOptions };

/** What the simulator saw since it started or was last cleared. */
export interface SimulatorSummary {
  /** Requests received. */
  requests: number;
  /** Requests per route (`GET /files/:id`, ...), `unmatched` for unknown paths. */
  byRoute: Record<string, number>;
  /** Requests per answered status. */
  byStatus: Record<string, number>;
  /** Requests accepted for paid work. */
  billable: number;
  /** The prompt of each request accepted for paid work, to find one paid twice. */
  billablePrompts: string[];
  /** Requests refused by the rate limit (Eden AI, OpenAI). */
  rateLimited: number;
  /** Event streams opened (Oxen). */
  eventStreamsOpened: number;
  /** Arrival times (wall clock, ms) of edit requests answered with a 2xx. */
  acceptedEditTimes: number[];
  /** Arrival times (wall clock, ms) of edit requests answered with a 429. */
  rateLimitedEditTimes: number[];
  /** Wall-clock time (ms) at which each queued job finished, by generation id (Oxen). */
  finishedJobs: Record<string, number>;
  /** The parsed body of the last edit request, so a baseline can send exactly what the client sent. */
  lastEditBody: unknown;
}

/** A command from the benchmark to the simulator's process. */
export interface SimulatorCommand {
  id: number;
  command: 'summary' | 'clear' | 'close';
}

/** A message from the simulator's process. */
export type SimulatorMessage =
  | { type: 'ready'; url: string; apiKey: string }
  | { type: 'reply'; id: number; summary?: SimulatorSummary };
