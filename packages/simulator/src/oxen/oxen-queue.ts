import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/** A job's status. `succeeded`, `failed` and `cancelled` are terminal. */
export type OxenJobStatus = 'queued' | 'processing' | 'succeeded' | 'failed' | 'cancelled';

/** How long a job waits and runs. */
export interface OxenJobTiming {
  /** Time in `queued` before `processing`. */
  queuedMs: number;
  /** Time in `processing` before the outcome. */
  processingMs: number;
}

/** What a schedule function learns about a job. */
export interface OxenJobInfo {
  /** The job's `generation_id`. */
  generationId: string;
  /** The model name, e.g. `qwen-image-edit`. */
  model: string;
  /** Index of this generation within its enqueue request (`num_generations` > 1). */
  index: number;
  /** The request's model parameters (`prompt`, `input_image`, ...). */
  parameters: Record<string, unknown>;
}

/** One generation row: a queued job, or the record of a synchronous edit. */
export interface OxenJob {
  id: string;
  model: string;
  prompt: string | null;
  namespace: string;
  status: OxenJobStatus;
  resultUrl: string | null;
  errorMessage: string | null;
  enqueuedAt: number;
  startedAt: number | null;
  completedAt: number | null;
  /** The request's parameters as sent (minus `model` and `num_generations`). */
  parameters: Record<string, unknown>;
  /** USD per image; billed on success. */
  price: number;
  source: 'queue' | 'sync';
  neverFinishes: boolean;
  failMessage: string | undefined;
  resultMissing: boolean;
  timer: NodeJS.Timeout | undefined;
}

/** Unix seconds, as Oxen reports times. */
export function unixSeconds(time: number = Date.now()): number {
  return Math.floor(time / 1000);
}

/** Options of {@link OxenQueue}. */
export interface OxenQueueOptions {
  timing: (info: OxenJobInfo) => OxenJobTiming;
  /** Runs the job's work; resolves with the result URL or rejects with the `error_message`. */
  run: (job: OxenJob) => Promise<string>;
  onStarted: (job: OxenJob) => void;
  onFinished: (job: OxenJob) => void;
  /**
   * A file the job table is kept in: read on start, where jobs an earlier run accepted and had not
   * finished run again to their end, and written after every change.
   */
  stateFile?: string | undefined;
}

/** The job table and the timers that move jobs through their lifecycle. */
export class OxenQueue {
  readonly jobs = new Map<string, OxenJob>();
  #options: OxenQueueOptions;
  #closed = false;

  constructor(options: OxenQueueOptions) {
    this.#options = options;
    if (options.stateFile) this.#load(options.stateFile);
  }

  /** Adds a generation row without scheduling it (synchronous edits). */
  record(job: Omit<OxenJob, 'id' | 'timer'>): OxenJob {
    const row: OxenJob = { ...job, id: randomUUID(), timer: undefined };
    this.jobs.set(row.id, row);
    this.save();
    return row;
  }

  /**
   * Points the result URLs of jobs read from the state file at this run's server, which may listen
   * on another port than the run that made them.
   */
  rebase(baseUrl: string): void {
    for (const job of this.jobs.values()) {
      if (job.resultUrl?.includes('/files/')) {
        job.resultUrl = `${baseUrl}${job.resultUrl.slice(job.resultUrl.indexOf('/files/'))}`;
      }
    }
  }

  /** Writes the job table to the state file, when there is one. */
  save(): void {
    const file = this.#options.stateFile;
    if (!file || this.#closed) return;
    const rows = [...this.jobs.values()].map(({ timer: _timer, ...row }) => row);
    writeFileSync(`${file}.tmp`, JSON.stringify(rows));
    renameSync(`${file}.tmp`, file);
  }

  #load(file: string): void {
    let rows: Omit<OxenJob, 'timer'>[];
    try {
      rows = JSON.parse(readFileSync(file, 'utf8')) as Omit<OxenJob, 'timer'>[];
    } catch {
      return; // A new state directory.
    }
    for (const row of rows) {
      const job: OxenJob = { ...row, timer: undefined };
      this.jobs.set(job.id, job);
      if (job.status !== 'queued' && job.status !== 'processing') continue;
      // Accepted before the restart: it runs again from the start of its processing.
      const timing = this.#options.timing({
        generationId: job.id,
        model: job.model,
        index: 0,
        parameters: job.parameters,
      });
      job.status = 'queued';
      job.timer = setTimeout(() => this.#start({ job, timing }), 0);
      job.timer.unref();
    }
  }

  /** Enqueues a job and schedules its lifecycle. */
  enqueue(options: {
    model: string;
    parameters: Record<string, unknown>;
    namespace: string;
    price: number;
    index: number;
    neverFinishes: boolean;
    failMessage: string | undefined;
    resultMissing: boolean;
  }): OxenJob {
    const job = this.record({
      model: options.model,
      prompt: typeof options.parameters.prompt === 'string' ? options.parameters.prompt : null,
      namespace: options.namespace,
      status: 'queued',
      resultUrl: null,
      errorMessage: null,
      enqueuedAt: unixSeconds(),
      startedAt: null,
      completedAt: null,
      parameters: options.parameters,
      price: options.price,
      source: 'queue',
      neverFinishes: options.neverFinishes,
      failMessage: options.failMessage,
      resultMissing: options.resultMissing,
    });
    const timing = this.#options.timing({
      generationId: job.id,
      model: job.model,
      index: options.index,
      parameters: job.parameters,
    });
    job.timer = setTimeout(() => this.#start({ job, timing }), Math.max(0, timing.queuedMs));
    job.timer.unref();
    return job;
  }

  #start(options: { job: OxenJob; timing: OxenJobTiming }): void {
    const { job } = options;
    if (this.#closed || job.status !== 'queued') return;
    job.status = 'processing';
    job.startedAt = unixSeconds();
    this.save();
    this.#options.onStarted(job);
    if (job.neverFinishes) return;
    job.timer = setTimeout(() => void this.#finish(job), Math.max(0, options.timing.processingMs));
    job.timer.unref();
  }

  async #finish(job: OxenJob): Promise<void> {
    job.timer = undefined;
    let outcome: { url: string } | { error: string };
    try {
      outcome = { url: await this.#options.run(job) };
    } catch (error) {
      outcome = { error: error instanceof Error ? error.message : String(error) };
    }
    // A cancel that arrived while the work ran wins: a cancelled job stays cancelled and sends no event.
    if (this.#closed || job.status !== 'processing') return;
    job.completedAt = unixSeconds();
    if ('url' in outcome) {
      job.status = 'succeeded';
      job.resultUrl = outcome.url;
    } else {
      job.status = 'failed';
      job.errorMessage = outcome.error;
    }
    this.save();
    this.#options.onFinished(job);
  }

  /** Cancels a queued or processing job; a finished job is left as it is. */
  cancel(job: OxenJob): void {
    if (job.status !== 'queued' && job.status !== 'processing') return;
    if (job.timer !== undefined) clearTimeout(job.timer);
    job.timer = undefined;
    job.status = 'cancelled';
    job.completedAt = unixSeconds();
    this.save();
  }

  /** Stops every timer. */
  close(): void {
    this.#closed = true;
    for (const job of this.jobs.values()) if (job.timer !== undefined) clearTimeout(job.timer);
  }
}
