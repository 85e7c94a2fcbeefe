import type { ImageSource } from '../shared/image-transform.ts';
import { pngHasAlpha, readPngHeader } from '../shared/png-header.ts';
import type { RouteResult } from '../shared/route.ts';
import { edenAIError } from './edenai-errors.ts';

/** Models behind Eden that follow OpenAI's mask rules. */
function isOpenAIFamily(model: string): boolean {
  return /^openai\//i.test(model);
}

/**
 * What Eden AI answers for a mask its upstream model refuses, or `undefined` when the mask is fine.
 * Eden's mask is a PNG whose transparent pixels mark the region to edit (`ImageEditJsonBody.mask`);
 * OpenAI-family models refuse a mask without an alpha channel, and one whose size is not the first
 * image's. Inputs too large to keep (only hashed) are not checked.
 */
export function edenAIMaskProblem(options: {
  model: string;
  mask: ImageSource | undefined;
  canvas: ImageSource | undefined;
}): RouteResult | undefined {
  const { model, mask, canvas } = options;
  if (mask?.bytes === undefined || !isOpenAIFamily(model)) return undefined;
  const header = readPngHeader(mask.bytes);
  const refuse = (message: string) =>
    edenAIError({ status: 400, type: 'validation_error', message: `Invalid mask image: ${message}` });
  if (header === undefined) return refuse('the mask must be a PNG file');
  if (!pngHasAlpha(header)) {
    return refuse(
      'the mask must be a PNG with an alpha channel; its fully transparent areas indicate where the image should be edited',
    );
  }
  const canvasHeader = canvas?.bytes === undefined ? undefined : readPngHeader(canvas.bytes);
  if (
    canvasHeader !== undefined &&
    (canvasHeader.width !== header.width || canvasHeader.height !== header.height)
  ) {
    return refuse(
      `the mask (${header.width}x${header.height}) and the image (${canvasHeader.width}x${canvasHeader.height}) must have the same dimensions`,
    );
  }
  return undefined;
}

/**
 * A multipart edit carries files only: Eden reads `image[]` and `mask` parts and refuses an Eden
 * file id (or a JSON `images` list) among its text fields, which only the JSON body takes.
 */
export function edenAIMultipartFileIdProblem(
  fields: Record<string, string | string[]>,
): RouteResult | undefined {
  const key = ['file_id', 'images', 'mask'].find((name) => fields[name] !== undefined);
  if (key === undefined) return undefined;
  return {
    status: 422,
    json: {
      detail: [
        {
          type: 'value_error',
          loc: ['body', key],
          msg: `Value error, a multipart body carries image[] and mask files; '${key}' as a text field (a file_id or an ImageRef) is only accepted in an application/json body`,
        },
      ],
    },
  };
}
