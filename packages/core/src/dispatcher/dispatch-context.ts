import type { HttpClient } from '../http/http-client.ts';
import type { ProviderAdapter } from '../provider.ts';
import type { JobObserver, JobTelemetry } from '../telemetry/job-observer.ts';
import type { SpendLedger } from './budget.ts';
import type { Lane } from './lane.ts';
import type { ResolvedRetryOptions } from './retry.ts';

/** What the runner needs from the client. */
export interface DispatchContext {
  readonly adapters: ReadonlyMap<string, ProviderAdapter>;
  readonly retry: ResolvedRetryOptions;
  readonly ledger: SpendLedger;
  readonly strict: boolean;
  /** Spans, metrics and log lines, for an edit that anyone observes. */
  readonly telemetry: JobTelemetry;
  lane(provider: string): Lane;
  /**
   * The adapter's client bound to its lane: every request through it waits for room in the window.
   * `onAdmit` hears each request let through.
   */
  transport(options: {
    adapter: ProviderAdapter;
    priority: number;
    onAdmit?: (request: { method: string; billable?: boolean | undefined }) => void | Promise<void>;
    /** The edit's observer, which gives each request let through a span. */
    observer?: JobObserver | undefined;
  }): HttpClient;
  countRetry(): void;
}
