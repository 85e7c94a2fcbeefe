import { PNG } from 'pngjs';

/** An 8-bit RGBA raster, row-major, four bytes a pixel. */
export interface Raster {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** Decoding refuses rasters above this many pixels: the simulator keeps its outputs small and fast. */
const maximumDecodedPixels = 2048 * 2048;

/**
 * The size a PNG declares in its header, read before decoding so that a huge picture is refused without
 * being inflated. `undefined` when the bytes do not start like a PNG.
 */
function declaredSize(bytes: Buffer): { width: number; height: number } | undefined {
  // The signature (8 bytes), then the IHDR chunk: length (4), type (4), width (4), height (4).
  if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/**
 * Decodes a PNG of any standard format (gray, RGB, palette, with or without alpha, any bit depth,
 * interlaced or not) into 8-bit RGBA, with `pngjs`. Returns `undefined` for anything else (other
 * formats, corrupt data, rasters above 2048 × 2048 pixels): the caller then generates a picture
 * instead of failing, as a real model would still answer.
 */
export function decodePng(bytes: Uint8Array): Raster | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = declaredSize(buffer);
  if (size === undefined || size.width === 0 || size.height === 0) return undefined;
  if (size.width * size.height > maximumDecodedPixels) return undefined;
  try {
    const { width, height, data } = PNG.sync.read(buffer);
    return { width, height, pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch {
    return undefined;
  }
}

/** Encodes an RGBA raster as an 8-bit RGBA PNG, with `pngjs`. */
export function encodePng(raster: Raster): Buffer<ArrayBuffer> {
  const png = new PNG({ width: raster.width, height: raster.height });
  png.data.set(raster.pixels);
  // The Sub filter on every row and zlib's default level and strategy: fast, and small enough.
  return PNG.sync.write(png, {
    colorType: 6,
    filterType: 1,
    deflateLevel: 6,
    deflateStrategy: 0,
  }) as Buffer<ArrayBuffer>;
}
