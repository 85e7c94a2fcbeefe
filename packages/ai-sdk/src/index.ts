/**
 * `@retouch/ai-sdk`: the bridge between Retouch and the Vercel AI SDK. {@link fromImageModel} makes any
 * AI SDK image model a Retouch provider; {@link createRetouchProvider} makes a Retouch client an AI SDK
 * provider whose image models reach Oxen.ai and Eden AI through the dispatcher.
 *
 * @packageDocumentation
 */
export type { RequestsPerCall } from './ai-sdk-errors.ts';
export { fromImageModel } from './from-image-model.ts';
export type { AISDKImageModel, FromImageModelOptions } from './from-image-model-options.ts';
export type { ImageModelPrices } from './image-model-prices.ts';
export { convertMask, type MaskConvention } from './mask-convention.ts';
export type { RetouchCallOptions } from './retouch-image-model.ts';
export {
  createRetouchProvider,
  type RetouchProvider,
  type RetouchProviderSettings,
} from './retouch-provider.ts';
