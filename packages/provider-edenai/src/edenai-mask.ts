import { type EditWarning, InvalidRequestError } from '@retouch/core';
import { imageSize, imageToBlob, imageToBytes, type NormalizedImage } from '@retouch/core/provider-utils';
import type { DecodedPng } from 'fast-png';

/*
 * Retouch's mask marks the region to edit in white and the region to keep in black (Oxen's
 * `mask_url` convention). Eden AI's `mask` is the other way round: a PNG whose transparent pixels
 * mark the region to edit (`ImageEditJsonBody.mask` in Eden's OpenAPI; OpenAI's convention, and
 * OpenAI-family models refuse a mask without an alpha channel). This file converts one into the
 * other. It imports nothing from Node, so it runs wherever the adapter does (Node, Bun, Deno,
 * Cloudflare Workers); PNG decoding and encoding is fast-png's, loaded with the first mask so that
 * importing the adapter stays as cheap as before.
 */

type FastPng = typeof import('fast-png');

/** How far into a local canvas its size is looked for: a JPEG's frame header follows its metadata. */
const CANVAS_HEAD_BYTES = 512 * 1024;

/** A converted mask: an 8-bit RGBA PNG whose alpha is 0 where the edit applies. */
export interface EdenAIMask {
  /** The PNG bytes. */
  png: Uint8Array;
  width: number;
  height: number;
}

/**
 * Converts a neutral mask (white = edit, black = keep) to Eden AI's (transparent = edit, opaque =
 * keep). Every PNG colour type and bit depth is read: gray, gray with alpha, RGB, RGBA, palette, at
 * 1 to 16 bits. Each pixel's share of the edit is its luma (Rec. 601) times its own opacity, so a
 * transparent pixel of the neutral mask counts as black (kept), and grays give a soft edge:
 * Eden's alpha = 255 × (1 − share). Throws `InvalidRequestError` naming `path` for anything that is
 * not a readable PNG.
 *
 * @example
 * const { png } = await neutralMaskToEdenAI({ png: whiteSquareOnBlack, path: 'mask' });
 * // the white square is now transparent, the rest opaque
 */
export async function neutralMaskToEdenAI(options: { png: Uint8Array; path: string }): Promise<EdenAIMask> {
  const { convertIndexedToRgb, decode, encode } = await import('fast-png');
  let decoded: DecodedPng;
  try {
    decoded = decode(options.png);
  } catch (error) {
    throw new InvalidRequestError({
      issues: [
        {
          path: options.path,
          message: `the mask PNG could not be read (${error instanceof Error ? error.message : String(error)}); save it again as a PNG, white where the edit applies and black elsewhere`,
        },
      ],
    });
  }
  const { width, height } = decoded;
  const share = editShares(decoded, convertIndexedToRgb);
  const rgba = new Uint8Array(width * height * 4);
  for (let pixel = 0; pixel < width * height; pixel++) {
    rgba[pixel * 4 + 3] = Math.round(255 * (1 - share[pixel]!));
  }
  return { png: encode({ width, height, data: rgba, depth: 8, channels: 4 }), width, height };
}

/** Each pixel's share of the edit, 0 (keep) to 1 (edit). */
function editShares(png: DecodedPng, convertIndexedToRgb: FastPng['convertIndexedToRgb']): Float64Array {
  const { width, height } = png;
  const shares = new Float64Array(width * height);
  if (png.palette) {
    const colors = convertIndexedToRgb(png);
    const channels = png.palette[0]?.length ?? 3;
    for (let pixel = 0; pixel < shares.length; pixel++) {
      const at = pixel * channels;
      const alpha = channels === 4 ? colors[at + 3]! / 255 : 1;
      shares[pixel] = (luma(colors[at]!, colors[at + 1]!, colors[at + 2]!) / 255) * alpha;
    }
    return shares;
  }
  const channels = png.channels;
  const maximum = 2 ** png.depth - 1;
  const sample = sampleReader(png);
  // tRNS on a gray or RGB image names one colour that is fully transparent.
  const key = png.transparency && png.transparency.length > 0 ? Array.from(png.transparency) : undefined;
  for (let pixel = 0; pixel < shares.length; pixel++) {
    const at = pixel * channels;
    let value: number;
    let alpha = 1;
    if (channels <= 2) {
      const gray = sample(at);
      value = gray / maximum;
      if (channels === 2) alpha = sample(at + 1) / maximum;
      else if (key && gray === key[0]) alpha = 0;
    } else {
      const [red, green, blue] = [sample(at), sample(at + 1), sample(at + 2)];
      value = luma(red, green, blue) / maximum;
      if (channels === 4) alpha = sample(at + 3) / maximum;
      else if (key && red === key[0] && green === key[1] && blue === key[2]) alpha = 0;
    }
    shares[pixel] = Math.min(1, Math.max(0, value * alpha));
  }
  return shares;
}

/** Reads sample `index` (pixel × channels + channel), unpacking gray images of 1, 2 or 4 bits. */
function sampleReader(png: DecodedPng): (index: number) => number {
  const { data, depth, width, channels } = png;
  if (depth >= 8) return (index) => data[index]!;
  // Below 8 bits each row is packed and padded to a whole byte.
  const rowBytes = Math.ceil((width * channels * depth) / 8);
  const perRow = width * channels;
  const mask = 2 ** depth - 1;
  return (index) => {
    const row = Math.floor(index / perRow);
    const bit = (index % perRow) * depth;
    const byte = data[row * rowBytes + (bit >> 3)]!;
    return (byte >> (8 - depth - (bit & 7))) & mask;
  };
}

function luma(red: number, green: number, blue: number): number {
  return 0.299 * red + 0.587 * green + 0.114 * blue;
}

/**
 * The mask as Eden AI must receive it, from the neutral mask of a request: a local PNG is converted
 * (and checked against the canvas, the first image, when that is local too); a JPEG, WebP or GIF is
 * refused, since Eden's mask is a PNG with transparency; an Eden file id is sent as it is, with a
 * warning, since its content is not Retouch's to read. A remote mask must be downloaded first.
 * Throws `InvalidRequestError` before anything is sent.
 */
export async function toEdenAIMask(options: {
  mask: NormalizedImage;
  canvas: NormalizedImage | undefined;
}): Promise<{ image: NormalizedImage; warnings: EditWarning[] }> {
  const { mask, canvas } = options;
  if (mask.kind === 'file-id') {
    return {
      image: mask,
      warnings: [
        {
          type: 'other',
          message:
            "mask: an Eden file id is sent as it is, without Retouch converting it; it must already mark the region to edit with transparent pixels (Eden AI's convention), not in white; pass the mask itself to have it converted",
        },
      ],
    };
  }
  if (mask.kind === 'url') throw new TypeError('toEdenAIMask: download a remote mask before converting it');
  if (mask.mediaType !== 'image/png') {
    const kind = mask.mediaType.slice('image/'.length).toUpperCase();
    throw new InvalidRequestError({
      issues: [
        {
          path: 'mask',
          message: `Eden AI takes a PNG mask, and this mask is a ${kind}; save the mask as a PNG (white where the edit applies, black elsewhere) and Retouch converts it to Eden's transparent-means-edit form`,
        },
      ],
    });
  }
  const converted = await neutralMaskToEdenAI({ png: await imageToBytes(mask), path: 'mask' });
  const canvasSize = canvas ? await localImageSize(canvas) : undefined;
  if (canvasSize && (canvasSize.width !== converted.width || canvasSize.height !== converted.height)) {
    throw new InvalidRequestError({
      issues: [
        {
          path: 'mask',
          message: `the mask is ${converted.width}x${converted.height} but the first image (the canvas, images.0) is ${canvasSize.width}x${canvasSize.height}; Eden AI needs a mask of the canvas's size: resize the mask to ${canvasSize.width}x${canvasSize.height}`,
        },
      ],
    });
  }
  return {
    image: { kind: 'bytes', data: converted.png, mediaType: 'image/png', origin: 'bytes' },
    warnings: [],
  };
}

/** The pixel size of a local image from its header, or `undefined` for remote images and unreadable headers. */
async function localImageSize(
  image: NormalizedImage,
): Promise<{ width: number; height: number } | undefined> {
  if (image.kind === 'bytes') return imageSize(image.data);
  if (image.kind !== 'blob' && image.kind !== 'file') return undefined;
  const head = (await imageToBlob(image)).slice(0, CANVAS_HEAD_BYTES);
  return imageSize(new Uint8Array(await head.arrayBuffer()));
}

/** The part of an input slot the conversion needs (see `edenai-edit-model.ts`). */
interface MaskSlot {
  readonly role: 'image' | 'mask';
  image: NormalizedImage;
}

/**
 * Replaces the mask among an edit's inputs by Eden's form of it, downloading a remote mask first
 * with `download`. Every transport (a `data:` URL, a multipart part, an upload) then carries the
 * converted mask.
 */
export async function convertEdenAIMaskSlot<Slot extends MaskSlot>(options: {
  slots: Slot[];
  warnings: EditWarning[];
  download: (slot: Slot, reason: string) => Promise<NormalizedImage>;
}): Promise<void> {
  const slot = options.slots.find((candidate) => candidate.role === 'mask');
  if (!slot) return;
  if (slot.image.kind === 'url') {
    slot.image = await options.download(
      slot,
      'Eden AI reads a mask the other way round from Retouch, so it is converted before it is sent',
    );
    options.warnings.push({
      type: 'other',
      message:
        "mask: the remote mask was downloaded and converted to Eden AI's form (transparent where the edit applies) before it was sent",
    });
  }
  const canvas = options.slots.find((candidate) => candidate.role === 'image')?.image;
  const converted = await toEdenAIMask({ mask: slot.image, canvas });
  slot.image = converted.image;
  options.warnings.push(...converted.warnings);
}
