/**
 * How the adapter runs an edit on Oxen.
 * - `sse` (the default): the async queue, with completion announced on one shared `GET /api/events`
 *   stream (the dispatcher still reads the job's status now and then, as a safety net);
 * - `queue`: the async queue, with completion learned by the dispatcher reading `GET /api/ai/queue/{id}`;
 * - `sync`: one blocking `POST /api/ai/images/edit` per output image.
 */
export type OxenMode = 'sync' | 'queue' | 'sse';

/**
 * Options of one request for Oxen, under `providerOptions.oxen`.
 *
 * @example
 * await retouch.edit({
 *   model: 'oxen:flux-kontext-dev',
 *   prompt: 'Add a funny hat',
 *   images: ['https://example.com/ox.png'],
 *   providerOptions: { oxen: { guidance: 3.5, num_inference_steps: 28, reportCost: true } },
 * });
 */
export interface OxenProviderOptions {
  /**
   * How this request runs, overriding `createOxen({ mode })`: `sync` sends the blocking
   * `POST /api/ai/images/edit`, `queue` enqueues and is polled, `sse` enqueues and is followed on the
   * event stream. With `retouch.submit()` a provider job is always made, so `sync` is followed by
   * polling there. A job resumed from a snapshot is followed in the provider's own mode.
   */
  mode?: OxenMode;
  /** The Oxen namespace (user or organization) billed and storing the result; overrides the provider's. */
  targetNamespace?: string;
  /**
   * `url` (default) returns Oxen's temporary URLs; `b64_json` returns the bytes inline: sent as
   * `response_format` in sync mode, and downloaded at completion in the queue modes.
   */
  responseFormat?: 'url' | 'b64_json';
  /** After a queued job, read its billed `cost` from `GET /api/ai/generations/{id}` (one extra read per image). */
  reportCost?: boolean;
  /** Any other key is a model parameter in the model's own spelling, e.g. `guidance` or `safety_tolerance`. */
  [parameter: string]: unknown;
}

/** `providerOptions.oxen`, parsed: the adapter's own options, and the model parameters. */
export interface ParsedOxenOptions {
  mode?: OxenMode | undefined;
  targetNamespace?: string | undefined;
  responseFormat?: 'url' | 'b64_json' | undefined;
  reportCost?: boolean | undefined;
  /** Every other key: a model parameter in the model's own spelling. */
  parameters: Record<string, unknown>;
}
