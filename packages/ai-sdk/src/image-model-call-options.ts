import type { ImageModelV4CallOptions, ImageModelV4File, SharedV4ProviderOptions } from '@ai-sdk/provider';
import {
  type EditWarning,
  InvalidRequestError,
  type NormalizedEditRequest,
  type RequestIssue,
} from '@retouch/core';
import { imageToBytes, type NormalizedImage } from '@retouch/core/provider-utils';
import type { AISDKImageModel, ResolvedImageModelOptions } from './from-image-model-options.ts';
import { convertMask, MaskConversionError } from './mask-convention.ts';

/** The call options of one edit, without the abort signal (each attempt has its own). */
export type ImageModelCall = Omit<ImageModelV4CallOptions, 'abortSignal' | 'headers'>;

/** What `prepare` works out for a request: the model's call options and the price per image. */
export interface ImageModelPlan {
  call: ImageModelCall;
}

async function resolveValue<T>(value: PromiseLike<T> | T): Promise<T> {
  return value;
}

/** The largest `n` of one call, as `generateImage` reads it (unset means one image a call). */
export async function maxImagesPerCall(model: AISDKImageModel): Promise<number> {
  const limit = model.maxImagesPerCall;
  const value = typeof limit === 'function' ? await limit({ modelId: model.modelId }) : limit;
  return value ?? 1;
}

async function toFile(image: NormalizedImage): Promise<ImageModelV4File | undefined> {
  if (image.kind === 'url') return { type: 'url', url: image.url };
  if (image.kind === 'file-id') return undefined;
  return { type: 'file', mediaType: image.mediaType, data: await imageToBytes(image) };
}

/**
 * Maps a neutral request onto the model's call options, before anything is sent: images become `files`
 * (the first is the canvas), the mask is converted to the model's convention, `n` is capped at what one
 * call makes, `size: 'auto'` becomes the model's default, and this provider's `providerOptions` go under
 * the model's own key. Options the AI SDK spec lacks become warnings; what cannot be sent at all throws
 * `InvalidRequestError` naming the field and the fix.
 */
export async function toCallOptions(options: {
  model: AISDKImageModel;
  settings: ResolvedImageModelOptions;
  request: NormalizedEditRequest;
}): Promise<{ plan: ImageModelPlan; warnings: EditWarning[] }> {
  const { model, settings, request } = options;
  const { id } = settings;
  const issues: RequestIssue[] = [];
  const warnings: EditWarning[] = [];
  const label = `${id}:${model.modelId}`;

  if (request.modelId !== model.modelId) {
    issues.push({
      path: 'model',
      message: `the ${id} provider wraps the AI SDK model "${model.modelId}" (${model.provider}); use model "${label}", or wrap "${request.modelId}" with fromImageModel under another id`,
    });
  }
  const takesFiles = 'supportsFileInputs' in model ? await resolveValue(model.supportsFileInputs) : undefined;
  if (takesFiles === false) {
    issues.push({
      path: 'images',
      message: `${model.modelId} takes no input images (its supportsFileInputs is false): it only generates from text; wrap an edit-capable model`,
    });
  }
  const files: ImageModelV4File[] = [];
  for (const [index, image] of request.images.entries()) {
    const file = await toFile(image);
    if (file === undefined) {
      issues.push({
        path: `images.${index}`,
        message: 'an AI SDK model takes image bytes or URLs, not a provider file id; pass the image itself',
      });
    } else {
      files.push(file);
    }
  }

  let mask: ImageModelV4File | undefined;
  if (request.mask !== undefined) {
    const takesMask =
      'supportsMaskInputs' in model ? await resolveValue(model.supportsMaskInputs) : undefined;
    if (takesMask === false) {
      warnings.push({
        type: 'unsupported-option',
        option: 'mask',
        message: `${label} takes no mask (its supportsMaskInputs is false); it was not sent, so the whole picture may change`,
      });
    } else {
      mask = await toMask({ image: request.mask, settings, issues });
    }
  }

  const most = await maxImagesPerCall(model);
  let n = request.n;
  if (n > most) {
    warnings.push({
      type: 'adjusted-option',
      option: 'n',
      from: n,
      to: most,
      message: `${label} makes at most ${most} image${most === 1 ? '' : 's'} a call; ${most} ${most === 1 ? 'was' : 'were'} asked for (send several edits for more)`,
    });
    n = most;
  }
  const spelling = `providerOptions.${id}`;
  for (const option of ['quality', 'outputFormat', 'negativePrompt'] as const) {
    if (request[option] !== undefined) {
      warnings.push({
        type: 'unsupported-option',
        option,
        message: `the AI SDK image model spec has no ${option}, so it was not sent; set the model's own option in ${spelling} instead (e.g. ${spelling}.quality for OpenAI)`,
      });
    }
  }
  if (issues.length > 0) throw new InvalidRequestError({ issues });

  const providerOptions: SharedV4ProviderOptions =
    Object.keys(request.providerOptions).length === 0
      ? {}
      : { [settings.providerOptionsKey]: request.providerOptions as SharedV4ProviderOptions[string] };
  return {
    plan: {
      call: {
        prompt: request.prompt,
        files,
        mask,
        n,
        // `auto` is the model's own choice, which is what the AI SDK's `undefined` means.
        size:
          request.size === undefined || request.size === 'auto'
            ? undefined
            : (request.size as `${number}x${number}`),
        aspectRatio: request.aspectRatio as `${number}:${number}` | undefined,
        seed: request.seed,
        providerOptions,
      },
    },
    warnings,
  };
}

async function toMask(options: {
  image: NormalizedImage;
  settings: ResolvedImageModelOptions;
  issues: RequestIssue[];
}): Promise<ImageModelV4File | undefined> {
  const { image, settings, issues } = options;
  if (settings.maskConvention === 'white-edits') return toFile(image);
  if (image.kind === 'url' || image.kind === 'file-id') {
    issues.push({
      path: 'mask',
      message: `${settings.id} takes masks whose transparent pixels mark the edit, so Retouch redraws its white-is-edit mask, which needs the mask's bytes: pass it as bytes, a Blob or { path }`,
    });
    return undefined;
  }
  if (image.mediaType !== 'image/png') {
    issues.push({
      path: 'mask',
      message: `the mask is ${image.mediaType}; pass it as a PNG (white where the edit applies)`,
    });
    return undefined;
  }
  try {
    const png = convertMask({ png: await imageToBytes(image), from: 'white-edits', to: 'transparent-edits' });
    return { type: 'file', mediaType: 'image/png', data: png };
  } catch (error) {
    if (!(error instanceof MaskConversionError)) throw error;
    issues.push({ path: 'mask', message: `${error.message}; pass a PNG mask, white where the edit applies` });
    return undefined;
  }
}
