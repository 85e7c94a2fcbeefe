/**
 * `@retouch/core`: the provider-neutral contract of Retouch (requests, results, errors, the adapter
 * spec) and the HTTP helpers provider packages build on. The zod schemas of the contract are in
 * `@retouch/core/schemas`; this entry loads zod only when a call first checks a request.
 *
 * @packageDocumentation
 */
export { checkLaneLimits } from './check-lane-limits.ts';
export { type Cost, roundUsd, sumCosts } from './cost.ts';
export type { BudgetOptions, BudgetStore, BudgetStoreReservation } from './dispatcher/budget.ts';
export { createRetouch } from './dispatcher/create-retouch.ts';
export type { EditJob } from './dispatcher/edit-job.ts';
export type { EditManyOptions, EditOutcome } from './dispatcher/edit-many.ts';
export type {
  FailedEvent,
  ProgressEvent,
  ProgressEventBase,
  ProgressEventType,
  ProgressListener,
  QueuedEvent,
  RetryingEvent,
  StartedEvent,
  StatusEvent,
  SucceededEvent,
} from './dispatcher/events.ts';
export type { LaneStats } from './dispatcher/lane.ts';
export { RateController, type RateControllerSettings } from './dispatcher/rate-controller.ts';
export type {
  DispatchOptions,
  ResumeOptions,
  Retouch,
  RetouchOptions,
  RetouchStats,
} from './dispatcher/retouch.ts';
export { backoffDelay, type RetryOptions } from './dispatcher/retry.ts';
export type { SharedLane, SharedLimits } from './dispatcher/shared-limits.ts';
export type { EditJobSnapshot, EditJobStatus } from './edit-job-snapshot.ts';
export type { EditOptionName, EditOptions, EditRequest, NormalizedEditRequest } from './edit-request.ts';
export {
  ASPECT_RATIO_PATTERN,
  EDIT_OPTION_KEYS,
  MAX_INPUT_IMAGES,
  MAX_OUTPUTS,
  MAX_PROMPT_LENGTH,
  MAX_SEED,
  OUTPUT_FORMATS,
  QUALITIES,
  SIZE_PATTERN,
} from './edit-request-constants.ts';
export type {
  EditResult,
  EditTimings,
  EditWarning,
  EditWarningOption,
  FailedAttempt,
  GeneratedImage,
} from './edit-result.ts';
export * from './errors/index.ts';
export { createGeneratedImage, type GeneratedImageOptions } from './generated-image.ts';
export {
  createHttpClient,
  type DownloadedBody,
  type HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  type HttpResponse,
  type ProviderErrorInfo,
} from './http/http-client.ts';
export type { HttpUploadProgress } from './http/http-types.ts';
export type { RequestGate, RequestOutcome } from './http/request-gate.ts';
export { parseRetryAfter, secondsToMs } from './http/retry-after.ts';
export {
  type ImageInput,
  type ImagePathInput,
  imageContentHash,
  imageFileName,
  imageToBlob,
  imageToBytes,
  imageToDataUrl,
  isLocalImage,
  type NormalizedImage,
  normalizeImageInput,
  type ProviderFileInput,
  sha256Hex,
} from './image-input.ts';
export { type ImageSize, imageSize } from './image-size.ts';
export { type LazyModule, lazyModule } from './lazy-module.ts';
export { lazySchema } from './lazy-schema.ts';
export { loadApiKey } from './load-api-key.ts';
export {
  extensionFor,
  type ImageMediaType,
  imageMediaTypes,
  mediaTypeForFormat,
  sniffImageMediaType,
} from './media-type.ts';
export { parseModelId } from './model-id.ts';
export { normalizeEditRequest } from './normalize-edit-request.ts';
export type { OptionProblem } from './option-rules.ts';
export type {
  JobWatch,
  LaneLimits,
  ModelCapabilities,
  ModelInfo,
  ModelPricing,
  PollingSettings,
  PrefersJobs,
  PreparedEdit,
  ProviderAdapter,
  ProviderCall,
  ProviderContext,
  ProviderEditOutput,
  ProviderJobStatus,
  ProviderJobSubmission,
  WatchOptions,
} from './provider.ts';
export type { SerializedEditResult } from './schemas/edit-result-schema.ts';
export { redact, redactValue, registerSecret } from './secrets.ts';
export { abortable, delay } from './timers.ts';
