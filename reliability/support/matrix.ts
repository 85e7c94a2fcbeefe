import type { FaultRule } from '@retouch/simulator';
import { hasProviderJobs, type PathName, type PathOptions, type PathRoutes, pathNames } from './paths.ts';

/** The deadline (`timeoutMs`) of every edit in the matrix. */
export const CELL_DEADLINE_MS = 3_000;

/** Error classes a cell may settle with. */
export type ErrorName =
  | 'ApiCallError'
  | 'RateLimitError'
  | 'InsufficientCreditsError'
  | 'InvalidResponseError'
  | 'GenerationFailedError'
  | 'JobCancelledError'
  | 'TimeoutError'
  /** The caller's own abort reason, passed through unwrapped. */
  | 'AbortError';

/** What a cell must show. */
export interface Expectation {
  /** How the edit settles. */
  edit: 'success' | ErrorName;
  /** For an error: a phrase its message must contain. */
  message?: RegExp;
  /** For a success: how the first `bytes()` of the first image goes (`ok`, or the error). */
  download?: 'ok' | ErrorName;
  /** After a failed first `bytes()`, how a second one goes: the result must not be lost to a blip. */
  downloadAgain?: 'ok';
  /** Billable submissions the simulator may count; never more than 1 under default settings. */
  billable: 0 | 1 | '0-1';
  /** For provider-job paths: the provider job's final status, when the cell stops it. */
  providerJob?: 'cancelled';
}

/** What a cell does besides injecting faults. */
export type CellAction = 'edit' | 'cancel-on-provider' | 'caller-cancels';

/** One row of the matrix: a fault, where it is injected, and what each path must do with it. */
export interface FaultRow {
  id: string;
  /** The row's name in the report. */
  label: string;
  /** Why a path cannot have this fault, or `undefined` when it applies. */
  notApplicable(path: PathName): string | undefined;
  faults(path: PathName, routes: PathRoutes): FaultRule[];
  expect(path: PathName): Expectation;
  action?: CellAction;
  options?(path: PathName): PathOptions;
}

const MAY_HAVE_BEEN_ACCEPTED = /may have accepted this billable request/;
const isUpload = (path: PathName): boolean => path === 'edenai-upload';

/** A fault on the submission: what each path does after it, by whether the request is billable. */
function submissionRow(options: {
  id: string;
  label: string;
  rule: Omit<FaultRule, 'route'>;
  /** The outcome on a billable submission. */
  billableOutcome: Expectation;
  /** The outcome when the upload before the edit gets the fault (it is not billable, so it is retried). */
  uploadOutcome: Expectation;
  /**
   * The outcome on Oxen, when it differs: a request Oxen took whose answer was lost is found again in
   * Oxen's own records and resumed. @default billableOutcome
   */
  oxenOutcome?: Expectation;
}): FaultRow {
  return {
    id: options.id,
    label: options.label,
    notApplicable: () => undefined,
    faults: (_path, routes) => [{ route: routes.submission, times: 1, ...options.rule } as FaultRule],
    expect: (path) =>
      isUpload(path)
        ? options.uploadOutcome
        : path.startsWith('oxen')
          ? (options.oxenOutcome ?? options.billableOutcome)
          : options.billableOutcome,
  };
}

const success: Expectation = { edit: 'success', download: 'ok', billable: 1 };

/** How many times the transport sends a result download: once, and twice more after a failure. */
const DOWNLOAD_ATTEMPTS = 3;

/** A fault on what is read after the submission: status polls, the event stream or the result download. */
function readRow(options: {
  id: string;
  label: string;
  rule: Omit<FaultRule, 'route'>;
  /** The outcome on each kind of read. */
  status: Expectation;
  events: Expectation | string;
  download: Expectation | string;
}): FaultRow {
  const pick = (path: PathName): Expectation | string =>
    path === 'oxen-queue' ? options.status : path === 'oxen-sse' ? options.events : options.download;
  return {
    id: options.id,
    label: options.label,
    notApplicable: (path) => {
      if (isUpload(path))
        return 'the result comes inline (b64_json) with the edit: nothing is read afterwards';
      const chosen = pick(path);
      return typeof chosen === 'string' ? chosen : undefined;
    },
    // A result download that fails with a network error, a 429 or a 5xx is sent again twice by the
    // transport: such a fault holds for all three, so the download's own error is what the cell sees.
    // A timeout is not resent.
    faults: (path, routes) => [
      {
        route: routes.read!,
        times:
          path === 'oxen-queue' || path === 'oxen-sse' || options.rule.kind === 'hang'
            ? 1
            : DOWNLOAD_ATTEMPTS,
        ...options.rule,
      } as FaultRule,
    ],
    expect: (path) => pick(path) as Expectation,
  };
}

const notJson = 'result files are images, not JSON: the fault cannot apply';
const streamNotJson =
  'the event stream is not a JSON answer and never ends, so the fault cannot apply (hostile streams are tested separately)';

/** Every row of the matrix. */
export const faultRows: readonly FaultRow[] = [
  submissionRow({
    id: 'rate-limit',
    label: '429 with a retry delay (0.3 s)',
    rule: { kind: 'rate-limit', retryAfterSeconds: 0.3 },
    billableOutcome: success,
    uploadOutcome: success,
  }),
  submissionRow({
    id: 'rate-limit-without-retry-after',
    label: '429 without a retry delay',
    rule: { kind: 'rate-limit-without-retry-after' },
    billableOutcome: success,
    uploadOutcome: success,
  }),
  submissionRow({
    id: 'status-500',
    label: '500 on the submission',
    rule: { kind: 'status', status: 500 },
    billableOutcome: { edit: 'ApiCallError', message: MAY_HAVE_BEEN_ACCEPTED, billable: 0 },
    uploadOutcome: success,
  }),
  submissionRow({
    id: 'status-502',
    label: '502 on the submission',
    rule: { kind: 'status', status: 502 },
    billableOutcome: { edit: 'ApiCallError', message: MAY_HAVE_BEEN_ACCEPTED, billable: 0 },
    uploadOutcome: success,
  }),
  submissionRow({
    id: 'status-503',
    label: '503 on the submission',
    rule: { kind: 'status', status: 503 },
    billableOutcome: success,
    uploadOutcome: success,
  }),
  submissionRow({
    id: 'reset-before-body',
    label: 'connection reset before the body is read',
    rule: { kind: 'reset-before-body' },
    // The client cannot tell a reset before the body from one after it: the request was sent.
    billableOutcome: { edit: 'ApiCallError', message: MAY_HAVE_BEEN_ACCEPTED, billable: 0 },
    uploadOutcome: success,
  }),
  submissionRow({
    id: 'reset-after-body',
    label: 'connection reset after the work was done',
    rule: { kind: 'reset-after-body' },
    billableOutcome: { edit: 'ApiCallError', message: MAY_HAVE_BEEN_ACCEPTED, billable: 1 },
    uploadOutcome: success,
    oxenOutcome: success,
  }),
  submissionRow({
    id: 'error-after-billing',
    label: '500 after the work was done',
    rule: { kind: 'error-after-billing', status: 500 },
    billableOutcome: { edit: 'ApiCallError', message: MAY_HAVE_BEEN_ACCEPTED, billable: 1 },
    uploadOutcome: success,
    oxenOutcome: success,
  }),
  submissionRow({
    id: 'hang',
    label: 'submission never answered',
    rule: { kind: 'hang' },
    billableOutcome: { edit: 'TimeoutError', billable: 0 },
    uploadOutcome: { edit: 'TimeoutError', billable: 0 },
  }),
  submissionRow({
    id: 'malformed-json',
    label: 'malformed JSON answer',
    rule: { kind: 'malformed-json' },
    billableOutcome: { edit: 'InvalidResponseError', billable: 1 },
    uploadOutcome: { edit: 'InvalidResponseError', billable: 0 },
    oxenOutcome: success,
  }),
  submissionRow({
    id: 'schema-violation',
    label: 'JSON answer in the wrong shape',
    rule: { kind: 'schema-violation' },
    billableOutcome: { edit: 'InvalidResponseError', billable: 1 },
    uploadOutcome: { edit: 'InvalidResponseError', billable: 0 },
    oxenOutcome: success,
  }),
  submissionRow({
    id: 'insufficient-credits',
    label: 'out of credits',
    rule: { kind: 'insufficient-credits' },
    billableOutcome: { edit: 'InsufficientCreditsError', billable: 0 },
    uploadOutcome: { edit: 'InsufficientCreditsError', billable: 0 },
  }),
  readRow({
    id: 'read-rate-limit',
    label: '429 on a read',
    rule: { kind: 'rate-limit', retryAfterSeconds: 0.2 },
    status: success,
    events: success,
    download: { edit: 'success', download: 'RateLimitError', downloadAgain: 'ok', billable: 1 },
  }),
  readRow({
    id: 'read-status-500',
    label: '500 on a read',
    rule: { kind: 'status', status: 500 },
    status: success,
    events: success,
    download: { edit: 'success', download: 'ApiCallError', downloadAgain: 'ok', billable: 1 },
  }),
  readRow({
    id: 'read-status-503',
    label: '503 on a read',
    rule: { kind: 'status', status: 503 },
    status: success,
    events: success,
    download: { edit: 'success', download: 'ApiCallError', downloadAgain: 'ok', billable: 1 },
  }),
  readRow({
    id: 'read-reset',
    label: 'connection reset on a read',
    rule: { kind: 'reset-before-body' },
    status: success,
    events: success,
    download: { edit: 'success', download: 'ApiCallError', downloadAgain: 'ok', billable: 1 },
  }),
  readRow({
    id: 'read-reset-after-body',
    label: 'connection reset after a read was served',
    rule: { kind: 'reset-after-body' },
    status: success,
    events: 'the event stream never finishes its answer, so there is no "after" to reset in',
    download: { edit: 'success', download: 'ApiCallError', downloadAgain: 'ok', billable: 1 },
  }),
  readRow({
    id: 'read-hang',
    label: 'a read never answered',
    rule: { kind: 'hang' },
    // A status read gets at most half the time left before the edit's 3 s deadline: the hung read is
    // abandoned in time for the next one to bring the finished job's result.
    status: success,
    events: success,
    // bytes({ signal: AbortSignal.timeout(3 s) }): the signal's reason, a DOMException named TimeoutError.
    download: { edit: 'success', download: 'TimeoutError', downloadAgain: 'ok', billable: 1 },
  }),
  readRow({
    id: 'read-malformed-json',
    label: 'malformed JSON on a read',
    // Twice: the adapter's own poll gives up on it, then the dispatcher's poll must read again.
    rule: { kind: 'malformed-json', times: 2 },
    status: success,
    events: streamNotJson,
    download: notJson,
  }),
  readRow({
    id: 'read-schema-violation',
    label: 'wrong-shape JSON on a read',
    // Twice: the adapter's own poll gives up on it, then the dispatcher's poll must read again.
    rule: { kind: 'schema-violation', times: 2 },
    status: success,
    events: streamNotJson,
    download: notJson,
  }),
  {
    id: 'sse-drop',
    label: 'event stream dropped mid-job',
    notApplicable: (path) => (path === 'oxen-sse' ? undefined : 'no event stream on this path'),
    faults: () => [{ route: 'GET /api/events', kind: 'sse-drop', times: 1 }],
    expect: () => success,
  },
  {
    id: 'job-never-finishes',
    label: 'job never finishes',
    notApplicable: () => undefined,
    faults: (_path, routes) => [{ route: routes.billable, kind: 'job-never-finishes', times: 1 }],
    expect: (path) =>
      hasProviderJobs(path)
        ? { edit: 'TimeoutError', billable: 1, providerJob: 'cancelled' }
        : { edit: 'TimeoutError', billable: 1 },
  },
  {
    id: 'job-fails',
    label: 'failed job',
    notApplicable: () => undefined,
    faults: (_path, routes) => [
      { route: routes.billable, kind: 'job-fails', times: 1, message: 'the model refused the prompt' },
    ],
    // Without provider jobs a failed generation is a 5xx on the edit itself, which may have been billed.
    expect: (path) =>
      hasProviderJobs(path)
        ? { edit: 'GenerationFailedError', message: /the model refused the prompt/, billable: 1 }
        : { edit: 'ApiCallError', message: MAY_HAVE_BEEN_ACCEPTED, billable: 1 },
  },
  {
    id: 'cancelled-on-provider',
    label: 'job cancelled on the provider',
    action: 'cancel-on-provider',
    notApplicable: (path) =>
      hasProviderJobs(path)
        ? undefined
        : 'no provider-side job: nothing can cancel it but the caller (next row)',
    faults: () => [],
    options: () => ({ processingMs: 2_000 }),
    expect: () => ({ edit: 'JobCancelledError', billable: 1, providerJob: 'cancelled' }),
  },
  {
    id: 'caller-cancels',
    label: "caller aborts mid-job (the request's signal)",
    action: 'caller-cancels',
    notApplicable: () => undefined,
    faults: () => [],
    options: () => ({ processingMs: 2_000, editDelayMs: 2_000 }),
    // The caller's abort reason comes back as given; a provider job is cancelled so it is not billed for nothing.
    expect: (path) =>
      hasProviderJobs(path)
        ? { edit: 'AbortError', billable: 1, providerJob: 'cancelled' }
        : { edit: 'AbortError', billable: 1 },
  },
  {
    id: 'expired-result-url',
    label: 'result URL expired',
    notApplicable: (path) =>
      isUpload(path) ? 'the result comes inline (b64_json): there is no URL to expire' : undefined,
    faults: () => [],
    options: () => ({ resultTtlMs: 1 }),
    expect: () => ({ edit: 'success', download: 'ApiCallError', billable: 1 }),
  },
  {
    id: 'result-404',
    label: 'result URL answers 404',
    notApplicable: (path) =>
      isUpload(path) ? 'the result comes inline (b64_json): there is no URL to fetch' : undefined,
    faults: (_path, routes) => [{ route: routes.billable, kind: 'result-404', times: 1 }],
    expect: () => ({ edit: 'success', download: 'ApiCallError', billable: 1 }),
  },
];

/** One cell of the matrix. */
export interface Cell {
  id: string;
  row: FaultRow;
  path: PathName;
  notApplicable: string | undefined;
}

/** Every cell, applicable or not, row by row. */
export function allCells(): Cell[] {
  return faultRows.flatMap((row) =>
    pathNames.map((path) => ({ id: `${row.id}/${path}`, row, path, notApplicable: row.notApplicable(path) })),
  );
}

/** The applicable cells of one path. */
export function cellsOf(path: PathName): Cell[] {
  return allCells().filter((cell) => cell.path === path && cell.notApplicable === undefined);
}
