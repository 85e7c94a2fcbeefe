import type { Cost } from './cost.ts';
import type { EditOptionName } from './edit-request.ts';

/**
 * Something about the request the model could not honour exactly: an option it lacks (dropped), a
 * value it does not accept (adjusted), or advice. Warnings never fail an edit; with
 * `createRetouch({ strict: true })` the dispatcher refuses the edit with `UnsupportedFeatureError`
 * instead, naming the option.
 */
export type EditWarning =
  | {
      /** The model lacks the option, so it was not sent. */
      type: 'unsupported-option';
      /** The request field, e.g. `seed`. */
      option: EditWarningOption;
      /** What happened, in words. */
      message: string;
    }
  | {
      /** The model does not take the value as given, so a close one was sent instead. */
      type: 'adjusted-option';
      /** The request field, e.g. `outputFormat`. */
      option: EditWarningOption;
      /** The value the request asked for. */
      from: unknown;
      /** The value sent to the provider. */
      to: unknown;
      /** What happened, in words. */
      message: string;
    }
  | {
      /** Advice that concerns no single option. */
      type: 'other';
      /** What happened, in words. */
      message: string;
    };

/** What a warning about an option names: a neutral field, or `providerOptions.<provider>.<key>`. */
export type EditWarningOption = EditOptionName | `providerOptions.${string}`;

/**
 * How long an edit took, in milliseconds. `queuedMs + runningMs` is `totalMs`.
 *
 * @example
 * const { queuedMs, runningMs } = result.timings; // e.g. 1200 waiting in Oxen's queue, 3400 running
 */
export interface EditTimings {
  /**
   * Waiting before the work started: in the client's provider lane (rate limit, concurrency, retry
   * pauses), and in the provider's queue when the provider says when it started the work (or its
   * status was seen turning to running).
   */
  queuedMs: number;
  /**
   * From the provider starting the work to the result being available. When the provider does not
   * say when it started, from the moment it accepted the job (its queue then counts as running), or
   * for a one-shot request from the moment the request was sent.
   */
  runningMs: number;
  /** From the call to the settled result. */
  totalMs: number;
}

/** One output image. Exactly one of `url` and `base64` is usually set; `bytes()` works for both. */
export interface GeneratedImage {
  /** A URL where the provider serves the image. Provider URLs expire: download soon. */
  readonly url?: string;
  /** The image bytes, base64-encoded, when the provider returned them inline. */
  readonly base64?: string;
  /** `image/png`, `image/jpeg`, `image/webp` or `image/gif`. */
  readonly mediaType: string;
  /**
   * The image bytes: decoded from `base64`, or downloaded from `url` once (size-capped, never sending
   * the API key to another host) and cached. `signal` bounds the wait: without one, a host that stops
   * answering holds the call for the HTTP layer's 60-second attempt timeout.
   *
   * @example
   * const bytes = await result.images[0].bytes({ signal: AbortSignal.timeout(30_000) });
   */
  bytes(options?: {
    /** Aborts the download (or the wait for one already running); the call rejects with its reason. */
    signal?: AbortSignal;
  }): Promise<Uint8Array>;
}

/** An attempt that failed before another model (a fallback) served the edit. */
export interface FailedAttempt {
  /** The `provider:model` that was tried. */
  model: string;
  /** The error's name, e.g. `ApiCallError`. */
  errorName: string;
  /** The error's message (secrets redacted). */
  message: string;
}

/**
 * The outcome of an edit, the same shape whichever provider served it.
 *
 * @example
 * const result = await retouch.edit(request);
 * console.log(result.model, result.cost?.usd, result.warnings);
 * await writeFile('out.png', await result.images[0].bytes());
 */
export interface EditResult {
  /** The output images. */
  images: GeneratedImage[];
  /** The provider id that served the edit, e.g. `edenai`. */
  provider: string;
  /** The `provider:model` that served the edit (differs from the request's when a fallback served). */
  model: string;
  /** What the edit cost, when known. */
  cost?: Cost;
  /** Options that were dropped or adjusted, and other advice. */
  warnings: EditWarning[];
  /** Queue, run and total time. */
  timings: EditTimings;
  /** The provider's job id, when the edit ran as a job. */
  jobId?: string;
  /** For aggregators (Eden AI): the upstream provider that ran the model, e.g. `openai`. */
  upstreamProvider?: string;
  /** Token or other usage the provider reported. */
  usage?: Record<string, unknown>;
  /** Earlier models that failed when a fallback served this edit. */
  attempts?: FailedAttempt[];
  /** The provider's parsed response, with secrets and long base64 strings elided. */
  raw: unknown;
}
