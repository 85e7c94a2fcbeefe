/**
 * `@retouch/core`: the provider-neutral contract of Retouch (requests, results, errors, the adapter
 * spec) and the HTTP helpers provider packages build on.
 *
 * @packageDocumentation
 */
export { type Cost, costSchema, roundUsd, sumCosts } from './cost.ts';
export type { BudgetOptions } from './dispatcher/budget.ts';
export {
  createRetouch,
  type DispatchOptions,
  type ResumeOptions,
  type Retouch,
  type RetouchOptions,
  type RetouchStats,
} from './dispatcher/create-retouch.ts';
export {
  type EditJob,
  type EditJobSnapshot,
  type EditJobStatus,
  editJobSnapshotSchema,
} from './dispatcher/edit-job.ts';
export type { EditManyOptions, EditOutcome } from './dispatcher/edit-many.ts';
export type { ProgressEvent, ProgressEventType, ProgressListener } from './dispatcher/events.ts';
export type { LaneStats } from './dispatcher/lane.ts';
export type { RetryOptions } from './dispatcher/retry.ts';
export {
  type EditOptionName,
  type EditRequest,
  editRequestSchema,
  MAX_INPUT_IMAGES,
  MAX_OUTPUTS,
  MAX_PROMPT_LENGTH,
  type NormalizedEditRequest,
  normalizeEditRequest,
  parseModelId,
} from './edit-request.ts';
export {
  type EditResult,
  type EditTimings,
  type EditWarning,
  editResultSchema,
  editWarningSchema,
  type FailedAttempt,
  type GeneratedImage,
  type SerializedEditResult,
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
} from './image-input.ts';
export { imageSize } from './image-size.ts';
export { loadApiKey } from './load-api-key.ts';
export {
  extensionFor,
  type ImageMediaType,
  imageMediaTypes,
  mediaTypeForFormat,
  sniffImageMediaType,
} from './media-type.ts';
export type {
  LaneLimits,
  ModelCapabilities,
  ModelInfo,
  ModelPricing,
  PreparedEdit,
  ProviderAdapter,
  ProviderCall,
  ProviderEditOutput,
  ProviderJobStatus,
  ProviderJobSubmission,
  WaitForCompletionOptions,
} from './provider.ts';
export { redact, redactValue, registerSecret } from './secrets.ts';
