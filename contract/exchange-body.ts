import type { RecordedMultipartBody } from '@retouch/simulator';

/*
 * The parts of a recorded request body the contract's schemas need and JSON alone cannot show: a
 * multipart body as one object, and whether a PNG carries transparency (Eden's mask marks the
 * region to edit with transparent pixels).
 */

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Colour types with an alpha channel: gray with alpha (4) and RGBA (6). */
const ALPHA_COLOUR_TYPES = new Set([4, 6]);

/**
 * Whether PNG bytes can hold transparent pixels: an alpha channel, or a `tRNS` chunk before the
 * image data. `undefined` for bytes that are not a PNG.
 */
export function pngHasAlpha(bytes: Uint8Array): boolean | undefined {
  if (bytes.length < 33 || PNG_SIGNATURE.some((byte, index) => bytes[index] !== byte)) return undefined;
  if (ALPHA_COLOUR_TYPES.has(bytes[25]!)) return true;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let offset = 8; offset + 8 <= bytes.length; ) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (type === 'tRNS') return true;
    if (type === 'IDAT' || type === 'IEND') return false;
    offset += 12 + length;
  }
  return false;
}

/** Base64 characters read from a `data:` URL: enough for every chunk that precedes the image data. */
const DATA_URL_HEAD = 96 * 1024;

/** Whether a `data:image/png;base64,` URL holds a PNG with transparency (`undefined` for other strings). */
export function dataUrlPngHasAlpha(url: string): boolean | undefined {
  const match = /^data:image\/png;base64,/.exec(url);
  if (!match) return undefined;
  const head = url.slice(match[0].length, match[0].length + DATA_URL_HEAD);
  return pngHasAlpha(Buffer.from(head.slice(0, head.length - (head.length % 4)), 'base64'));
}

/**
 * A recorded multipart body as one object: text fields by name (the last value of a repeated one),
 * file parts as `{ filename, contentType, size, alpha }`, those named `...[]` gathered in an array.
 */
export function formObject(body: RecordedMultipartBody): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body.fields)) result[name] = value;
  for (const file of body.files) {
    const alpha = file.bytes ? pngHasAlpha(file.bytes) : undefined;
    const part = {
      filename: file.filename,
      contentType: file.contentType,
      size: file.size,
      ...(alpha !== undefined ? { alpha } : {}),
    };
    if (file.name.endsWith('[]')) {
      const list = (result[file.name] as unknown[] | undefined) ?? [];
      list.push(part);
      result[file.name] = list;
    } else {
      result[file.name] = part;
    }
  }
  return result;
}
