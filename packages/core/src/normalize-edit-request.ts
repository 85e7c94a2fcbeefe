import type { EditRequest, NormalizedEditRequest } from './edit-request.ts';
import { InvalidRequestError, type RequestIssue } from './errors/invalid-request-error.ts';
import { type NormalizedImage, normalizeImageNow } from './image-input.ts';
import { parseModelId } from './model-id.ts';
import { loadSchemas } from './schemas/load-schemas.ts';

/**
 * Validates an {@link EditRequest} and normalizes its images, without any network call.
 * Throws {@link InvalidRequestError} listing every problem with its field path and fix.
 *
 * @example
 * const normalized = await normalizeEditRequest({ model: 'oxen:qwen-image-edit', prompt: 'Add a hat', images: [{ path: 'cat.png' }] });
 */
export async function normalizeEditRequest(request: unknown): Promise<NormalizedEditRequest> {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new InvalidRequestError({
      issues: [{ path: '', message: 'the request must be an object { model, prompt, images, ... }' }],
    });
  }
  const { editRequestSchema, toRequestIssues } = loadSchemas.loaded() ?? (await loadSchemas());
  const parsed = editRequestSchema.safeParse(request);
  if (!parsed.success) throw new InvalidRequestError({ issues: toRequestIssues(parsed.error.issues) });
  const value = parsed.data;
  const { provider, modelId } = parseModelId(value.model)!;

  const issues: RequestIssue[] = [];
  const record = (error: unknown): undefined => {
    if (!InvalidRequestError.isInstance(error)) throw error;
    issues.push(...error.issues);
    return undefined;
  };
  // An image that needs no reading (a URL, bytes) is normalized at once: this runs for every edit.
  const normalize = (
    input: unknown,
    path: string,
  ): NormalizedImage | Promise<NormalizedImage | undefined> | undefined => {
    try {
      const image = normalizeImageNow(input, path);
      return image instanceof Promise ? image.catch(record) : image;
    } catch (error) {
      return record(error);
    }
  };
  const given = value.images.map((image, index) => normalize(image, `images.${index}`));
  const images = given.some((image) => image instanceof Promise)
    ? await Promise.all(given)
    : (given as (NormalizedImage | undefined)[]);
  const mask = value.mask === undefined ? undefined : await normalize(value.mask, 'mask');
  for (let index = 0; index <= images.length; index++) {
    const image = index < images.length ? images[index] : mask;
    if (image?.kind === 'file-id' && image.provider !== provider) {
      issues.push({
        path: index < images.length ? `images.${index}` : 'mask',
        message: `the file was uploaded to "${image.provider}" but the model is served by "${provider}"; upload it to ${provider} or pass the image itself`,
      });
    }
  }
  // Options keyed by other providers are allowed and not passed on: one request may be sent to
  // several models in a comparison or a fallback chain.
  if (issues.length > 0) throw new InvalidRequestError({ issues });

  // Assigned field by field rather than with conditional spreads: this runs for every edit, and each
  // spread allocates a throw-away object.
  const normalized: { -readonly [Key in keyof NormalizedEditRequest]: NormalizedEditRequest[Key] } = {
    model: value.model,
    provider,
    modelId,
    prompt: value.prompt,
    images: images as NormalizedImage[],
    n: value.n ?? 1,
    nExplicit: value.n !== undefined,
    providerOptions: value.providerOptions?.[provider] ?? {},
  };
  if (mask) normalized.mask = mask;
  if (value.size !== undefined) normalized.size = value.size;
  if (value.aspectRatio !== undefined) normalized.aspectRatio = value.aspectRatio;
  if (value.quality !== undefined) normalized.quality = value.quality;
  if (value.outputFormat !== undefined) normalized.outputFormat = value.outputFormat;
  if (value.seed !== undefined) normalized.seed = value.seed;
  if (value.negativePrompt !== undefined) normalized.negativePrompt = value.negativePrompt;
  if (value.timeoutMs !== undefined) normalized.timeoutMs = value.timeoutMs;
  if (value.signal !== undefined) normalized.signal = value.signal;
  return normalized;
}
