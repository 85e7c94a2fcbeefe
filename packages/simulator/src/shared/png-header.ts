/** What a PNG's chunks say about it, without decoding a pixel. */
export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA. */
  colorType: number;
  /** Whether a `tRNS` chunk gives some colours or palette entries transparency. */
  hasTransparencyChunk: boolean;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Reads a PNG's `IHDR` and looks for `tRNS` by walking its chunks, or returns `undefined` for bytes
 * that are not a PNG. Enough to tell whether an image has an alpha channel, as the providers check.
 *
 * @example
 * readPngHeader(bytes)?.colorType; // 6 for RGBA
 */
export function readPngHeader(bytes: Uint8Array): PngHeader | undefined {
  if (bytes.length < 33 || SIGNATURE.some((byte, index) => bytes[index] !== byte)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (type(12) !== 'IHDR') return undefined;
  const header: PngHeader = {
    width: view.getUint32(16),
    height: view.getUint32(20),
    bitDepth: bytes[24]!,
    colorType: bytes[25]!,
    hasTransparencyChunk: false,
  };
  let offset = 8;
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset);
    const name = type(offset + 4);
    if (name === 'tRNS') header.hasTransparencyChunk = true;
    if (name === 'IDAT' || name === 'IEND') break;
    offset += 12 + length;
  }
  return header;
}

/** Whether the image carries transparency: an alpha channel, or a `tRNS` chunk. */
export function pngHasAlpha(header: PngHeader): boolean {
  return header.colorType === 4 || header.colorType === 6 || header.hasTransparencyChunk;
}
