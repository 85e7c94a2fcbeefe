import { type EditWarning, InvalidRequestError } from '@retouch/core';
import { type HttpClient, type NormalizedImage, sniffImageMediaType } from '@retouch/core/provider-utils';
import type { EdenAITransport } from './edenai-edit-options.ts';
import { notSent } from './edenai-upload.ts';

/**
 * Remote inputs Eden cannot be handed as they are, fetched here and sent as the picture itself:
 * Eden's `image_url` takes "an https URL or a data: URL" only, and OpenAI-family models take no
 * remote URL at all. The download goes through the call's client, which sends no key to another
 * host.
 */

/** Largest input image downloaded for Eden (OpenAI's per-image limit). */
export const MAX_INPUT_DOWNLOAD_BYTES = 50 * 1024 * 1024;

/** The part of an input slot a download needs and replaces. */
interface RemoteSlot {
  readonly path: string;
  readonly role: 'image' | 'mask';
  image: NormalizedImage;
}

/**
 * Why Eden cannot be handed this URL as it is, or `undefined` when it can: a plain `http://` URL
 * (Eden takes https and `data:` URLs), or any remote URL for a model that takes none.
 */
function downloadReason(options: {
  url: string;
  modelId: string;
  acceptsRemoteUrls: boolean;
  transport: EdenAITransport;
}): { reason: string; note: string } | undefined {
  if (!options.acceptsRemoteUrls) {
    return {
      reason: `${options.modelId} does not take remote URLs`,
      note: `${options.modelId} does not take remote image URLs`,
    };
  }
  // A multipart body downloads every URL into a part anyway, and says so.
  if (/^http:/i.test(options.url) && options.transport !== 'multipart') {
    return {
      reason: 'Eden AI takes https and data: image URLs only',
      note: 'Eden AI takes https and data: image URLs only, not http',
    };
  }
  return undefined;
}

/**
 * Downloads the inputs whose URLs Eden cannot take, replacing each by its bytes, with a warning
 * naming the input and the URL (without its query string, which may carry a signature). A mask
 * behind an `http://` URL is left to the mask's conversion, which downloads every remote mask.
 */
export async function fetchRemoteInputs(options: {
  slots: RemoteSlot[];
  modelId: string;
  acceptsRemoteUrls: boolean;
  transport: EdenAITransport;
  http: HttpClient;
  signal: AbortSignal;
  warnings: EditWarning[];
}): Promise<void> {
  const carried = options.transport === 'json' ? 'a data: URL or an upload' : 'a file';
  for (const slot of options.slots) {
    if (slot.image.kind !== 'url') continue;
    if (slot.role === 'mask' && options.acceptsRemoteUrls) continue;
    const url = slot.image.url;
    const why = downloadReason({
      url,
      modelId: options.modelId,
      acceptsRemoteUrls: options.acceptsRemoteUrls,
      transport: options.transport,
    });
    if (!why) continue;
    slot.image = await downloadInput({
      slot,
      http: options.http,
      signal: options.signal,
      reason: why.reason,
    });
    options.warnings.push({
      type: 'other',
      message: `${slot.path}: ${why.note}, so ${describeUrl(url)} was downloaded and sent as ${carried}`,
    });
  }
}

/** Downloads a remote input (through the call's client, which sends no key to another host). */
export async function downloadInput(options: {
  slot: RemoteSlot;
  http: HttpClient;
  signal: AbortSignal;
  reason: string;
}): Promise<NormalizedImage> {
  const { slot } = options;
  if (slot.image.kind !== 'url') return slot.image;
  const url = slot.image.url;
  let bytes: Uint8Array;
  try {
    ({ bytes } = await options.http.download(url, {
      maxBytes: MAX_INPUT_DOWNLOAD_BYTES,
      signal: options.signal,
    }));
  } catch (error) {
    throw notSent(
      error,
      `${slot.path}: ${options.reason}, and downloading ${describeUrl(url)} failed, so the edit was not sent`,
    );
  }
  const mediaType = sniffImageMediaType(bytes);
  if (!mediaType) {
    throw new InvalidRequestError({
      issues: [
        {
          path: slot.path,
          message: `${describeUrl(url)} did not serve a PNG, JPEG, WebP or GIF image (${options.reason}, so it was downloaded); check the URL`,
        },
      ],
    });
  }
  return { kind: 'bytes', data: bytes, mediaType, origin: 'bytes' };
}

/** A URL without its query string, which may carry a signature. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'the URL';
  }
}
