import type { FileStore } from '../shared/file-store.ts';
import { loadImageReference, type RemoteImagePolicy } from '../shared/image-source.ts';
import { type ImageSource, parseSize, renderEdit } from '../shared/image-transform.ts';
import type { OxenModel } from './oxen-models.ts';
import { oxenInputImages } from './oxen-validation.ts';

/** Where an Oxen edit's input URLs are read from. */
export interface OxenImageInputs {
  /** Results of this simulator, which an input URL may point back at; new results are stored here. */
  fileStore: FileStore;
  /** What to do with URLs on other hosts. */
  remoteImages: RemoteImagePolicy;
}

async function loadImages(options: { urls: string[]; inputs: OxenImageInputs }): Promise<ImageSource[]> {
  const { fileStore, remoteImages } = options.inputs;
  return Promise.all(
    options.urls.map((reference) => loadImageReference({ reference, fileStore, remoteImages })),
  );
}

/**
 * Renders the one image of an Oxen edit or job from the request's parameters: `input_image` (the first
 * is the canvas), `mask_url` (white where the edit applies), `prompt` and `resolution`. Throws
 * `ImageDownloadError` for an input that cannot be read.
 */
export async function renderOxenEdit(options: {
  model: OxenModel;
  parameters: Record<string, unknown>;
  inputs: OxenImageInputs;
}): Promise<Buffer> {
  const { parameters, inputs } = options;
  const [canvas, ...references] = await loadImages({ urls: oxenInputImages(parameters), inputs });
  const maskUrl = parameters.mask_url;
  const mask =
    typeof maskUrl === 'string' && maskUrl !== ''
      ? (await loadImages({ urls: [maskUrl], inputs }))[0]
      : undefined;
  const size = parseSize(parameters.resolution);
  const { png } = renderEdit({
    canvas: canvas ?? { sha256: 'empty' },
    references,
    ...(mask === undefined ? {} : { mask }),
    maskConvention: 'white-edits',
    model: options.model.name,
    prompt: String(parameters.prompt ?? ''),
    ...(size === undefined ? {} : { size }),
  });
  return png;
}
