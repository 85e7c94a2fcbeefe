import { lazyModule } from '../lazy-module.ts';
import type { ClientObservers, ObservedClient } from './client-observers.ts';
import type { EditObserver } from './edit-observer.ts';
import type { JobTelemetry, ObservedJob } from './job-observer.ts';
import { loadedOpenTelemetry, loadOpenTelemetry, openTelemetryRegistered } from './open-telemetry.ts';
import type { RetouchLogger } from './retouch-logger.ts';

/** The spans, metrics and log lines of edits: only an application that listens loads them. */
const loadObservers = lazyModule(() => import('./client-observers.ts'), "Retouch's telemetry");

/**
 * One client's telemetry: whether anyone listens (an SDK registered with OpenTelemetry, or a logger),
 * and an observer for each edit when so. What observes is loaded with the first observed edit, which
 * waits for it, so that edit's spans and metrics are not lost.
 */
export class ClientTelemetry implements JobTelemetry {
  readonly #logger: RetouchLogger | undefined;
  readonly #client: ObservedClient;
  #observers: ClientObservers | undefined;

  constructor(options: ObservedClient & { logger?: RetouchLogger | undefined }) {
    this.#logger = options.logger;
    this.#client = options;
  }

  /** Whether an edit gets an observer: an SDK registered with OpenTelemetry, or a logger. Cheap. */
  get wanted(): boolean {
    return this.#logger !== undefined || openTelemetryRegistered();
  }

  /** An observer for a new edit, or `undefined` when nothing listens. */
  async observe(job: ObservedJob): Promise<EditObserver | undefined> {
    const api = openTelemetryRegistered()
      ? (loadedOpenTelemetry() ?? (await loadOpenTelemetry()))
      : undefined;
    if (!api && !this.#logger) return undefined;
    const { ClientObservers } = loadObservers.loaded() ?? (await loadObservers());
    this.#observers ??= new ClientObservers({ client: this.#client, logger: this.#logger });
    return this.#observers.observe({ job, api });
  }

  /** Stops the gauges' reading of this client. */
  close(): void {
    this.#observers?.close();
  }
}
