/**
 * `@retouch/core/provider-utils`: the kit for writing a provider adapter. The adapter spec
 * ({@link ProviderAdapter} and the types of its calls), the HTTP client every adapter sends through
 * (it holds the lane's gate, the key and the typed errors), image and media-type helpers, and the
 * loaders that keep an adapter's import cheap. An application needs only `@retouch/core`.
 *
 * @example
 * import { createHttpClient, loadApiKey, type ProviderAdapter } from '@retouch/core/provider-utils';
 *
 * @packageDocumentation
 */
export { backoffDelay } from './dispatcher/retry.ts';
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
export { normalizeEditRequest } from './normalize-edit-request.ts';
export type {
  JobWatch,
  LaneLimits,
  LostEditQuery,
  LostEditSearch,
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
export { redact, redactValue, registerSecret } from './secrets.ts';
export { abortable, delay } from './timers.ts';
