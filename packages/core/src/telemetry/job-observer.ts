import type { Cost } from '../cost.ts';
import type { EditResult } from '../edit-result.ts';
import type { RequestGate } from '../http/request-gate.ts';

/**
 * What the dispatcher tells about one edit as it goes, for spans, metrics and log lines. Declared
 * apart from its implementation so that nothing the dispatcher's types reach names OpenTelemetry's.
 */
export interface JobObserver {
  /** An attempt of a call left its lane slot. */
  attemptStarted(options: { attempt: number; operation: string }): void;
  /** The attempt in flight ended, with its error if it failed. */
  attemptEnded(options: { error?: unknown }): void;
  /** Another attempt follows after `delayMs`. */
  retried(options: { attempt: number; delayMs: number; reason: string }): void;
  /** The model failed and the next one in the fallback list is tried. */
  fellBack(options: { to: string; error: unknown }): void;
  /** The call failed after it was sent: the provider may have billed it. */
  possiblyBilled(options: { estimate: Cost | undefined; error: unknown }): void;
  /** The gate, with each request it lets through observed. */
  observeGate(gate: RequestGate): RequestGate;
  /** The edit settled. */
  settled(outcome: { result?: EditResult | undefined; error?: unknown }): void;
}

/** What the observer reads of the job it follows. */
export interface ObservedJob {
  readonly id: string;
  readonly model: string;
  readonly provider: string;
  readonly status: string;
  readonly providerJobId: string | undefined;
  readonly createdAt: number;
}

/** What a job reads of the client's telemetry: whether anyone listens, and an observer if so. */
export interface JobTelemetry {
  /** Whether an edit gets an observer. Cheap. */
  readonly wanted: boolean;
  /** An observer for a new edit, or `undefined` when nothing listens. */
  observe(job: ObservedJob): Promise<JobObserver | undefined>;
  /** Stops the gauges' reading of the client. */
  close(): void;
}
