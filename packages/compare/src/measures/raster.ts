import sharp from 'sharp';

/** Decoded RGBA pixels, four bytes a pixel, row by row. */
export interface Raster {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/**
 * Decodes a PNG, JPEG, WebP or GIF into RGBA, resized (stretched, as a comparison at the input's size
 * needs every pixel to line up) to `size` when given.
 */
export async function decodeRaster(options: {
  bytes: Uint8Array;
  size?: { width: number; height: number };
}): Promise<Raster> {
  let pipeline = sharp(options.bytes, { failOn: 'none' }).rotate();
  if (options.size) {
    pipeline = pipeline.resize({ width: options.size.width, height: options.size.height, fit: 'fill' });
  }
  const { data, info } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
}

/** The size an image decodes to, without decoding its pixels. */
export async function rasterSize(bytes: Uint8Array): Promise<{ width: number; height: number }> {
  const metadata = await sharp(bytes, { failOn: 'none' }).metadata();
  const swapped = (metadata.orientation ?? 1) >= 5;
  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  return swapped ? { width: height, height: width } : { width, height };
}

/**
 * Shrinks RGBA pixels by a whole factor in libvips (box averaging, the last partial block dropped),
 * much faster than shrinking them in JavaScript.
 */
export async function shrinkRaster(options: { raster: Raster; factor: number }): Promise<Raster> {
  const { raster, factor } = options;
  if (factor === 1) return raster;
  const width = Math.floor(raster.width / factor);
  const height = Math.floor(raster.height / factor);
  const { data, info } = await sharp(
    Buffer.from(raster.data.buffer, raster.data.byteOffset, raster.data.byteLength),
    {
      raw: { width: raster.width, height: raster.height, channels: 4 },
    },
  )
    .resize({ width, height, fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
}

/** Opaque RGB pixels, three bytes a pixel, row by row. */
export interface RgbPixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/**
 * Encodes opaque RGB pixels as PNG bytes, shrunk to fit `maximumSide` when given. Without an alpha
 * channel libvips resizes the 8-bit values as they are, instead of premultiplying them in floating point.
 */
export async function encodePng(options: { pixels: RgbPixels; maximumSide?: number }): Promise<Uint8Array> {
  const { pixels, maximumSide } = options;
  let pipeline = sharp(Buffer.from(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength), {
    raw: { width: pixels.width, height: pixels.height, channels: 3 },
  });
  if (maximumSide !== undefined && Math.max(pixels.width, pixels.height) > maximumSide) {
    pipeline = pipeline.resize({ width: maximumSide, height: maximumSide, fit: 'inside' });
  }
  const buffer = await pipeline.png({ compressionLevel: 3 }).toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
