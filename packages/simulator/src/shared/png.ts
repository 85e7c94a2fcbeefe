import { deflateSync, inflateSync } from 'node:zlib';

/** An 8-bit RGBA raster, row-major, four bytes a pixel. */
export interface Raster {
  width: number;
  height: number;
  pixels: Uint8Array;
}

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Decoding refuses rasters above this many pixels: the simulator keeps its outputs small and fast. */
const maximumDecodedPixels = 2048 * 2048;

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let index = 0; index < 256; index++) {
    let value = index;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    table[index] = value >>> 0;
  }
  return table;
})();

function crc32(buffers: Uint8Array[]): number {
  let crc = 0xffffffff;
  for (const buffer of buffers) {
    for (let index = 0; index < buffer.length; index++) {
      crc = crcTable[(crc ^ buffer[index]!) & 0xff]! ^ (crc >>> 8);
    }
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Whether the bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && Buffer.from(bytes.subarray(0, 8)).equals(pngSignature);
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const distanceLeft = Math.abs(estimate - left);
  const distanceUp = Math.abs(estimate - up);
  const distanceUpLeft = Math.abs(estimate - upLeft);
  if (distanceLeft <= distanceUp && distanceLeft <= distanceUpLeft) return left;
  if (distanceUp <= distanceUpLeft) return up;
  return upLeft;
}

/**
 * Decodes a non-interlaced 8-bit PNG (gray, gray+alpha, RGB, RGBA or palette) into RGBA.
 * Returns `undefined` for anything else (other bit depths, interlacing, corrupt data, huge rasters):
 * the caller then generates a picture instead of failing, as a real model would still answer.
 */
export function decodePng(bytes: Uint8Array): Raster | undefined {
  try {
    return decodePngOrThrow(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch {
    return undefined;
  }
}

function decodePngOrThrow(buffer: Buffer): Raster | undefined {
  if (!isPng(buffer)) return undefined;
  let offset = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = 0;
  let interlace = 0;
  let palette: Buffer | undefined;
  let transparency: Buffer | undefined;
  const dataChunks: Buffer[] = [];
  while (offset + 8 <= buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    offset += 12 + length;
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      bitDepth = data[8]!;
      colorType = data[9]!;
      interlace = data[12]!;
    } else if (type === 'PLTE') {
      palette = data;
    } else if (type === 'tRNS') {
      transparency = data;
    } else if (type === 'IDAT') {
      dataChunks.push(data);
    } else if (type === 'IEND') {
      break;
    }
  }
  if (width === 0 || height === 0 || width * height > maximumDecodedPixels) return undefined;
  if (bitDepth !== 8 || interlace !== 0) return undefined;
  const channelsByColorType: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
  const channels = channelsByColorType[colorType];
  if (channels === undefined) return undefined;
  if (colorType === 3 && palette === undefined) return undefined;
  const raw = inflateSync(Buffer.concat(dataChunks));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) return undefined;
  const unfiltered = new Uint8Array(height * stride);
  for (let row = 0; row < height; row++) {
    const filter = raw[row * (stride + 1)]!;
    const source = row * (stride + 1) + 1;
    const target = row * stride;
    for (let column = 0; column < stride; column++) {
      const value = raw[source + column]!;
      const left = column >= channels ? unfiltered[target + column - channels]! : 0;
      const up = row > 0 ? unfiltered[target - stride + column]! : 0;
      const upLeft = row > 0 && column >= channels ? unfiltered[target - stride + column - channels]! : 0;
      let predicted: number;
      switch (filter) {
        case 0:
          predicted = 0;
          break;
        case 1:
          predicted = left;
          break;
        case 2:
          predicted = up;
          break;
        case 3:
          predicted = (left + up) >>> 1;
          break;
        case 4:
          predicted = paeth(left, up, upLeft);
          break;
        default:
          return undefined;
      }
      unfiltered[target + column] = (value + predicted) & 0xff;
    }
  }
  const pixels = new Uint8Array(width * height * 4);
  for (let index = 0; index < width * height; index++) {
    const source = index * channels;
    const target = index * 4;
    if (colorType === 0) {
      const gray = unfiltered[source]!;
      pixels.set([gray, gray, gray, 255], target);
    } else if (colorType === 4) {
      const gray = unfiltered[source]!;
      pixels.set([gray, gray, gray, unfiltered[source + 1]!], target);
    } else if (colorType === 2) {
      pixels.set([unfiltered[source]!, unfiltered[source + 1]!, unfiltered[source + 2]!, 255], target);
    } else if (colorType === 6) {
      pixels.set(unfiltered.subarray(source, source + 4), target);
    } else {
      const entry = unfiltered[source]!;
      const red = palette![entry * 3] ?? 0;
      const green = palette![entry * 3 + 1] ?? 0;
      const blue = palette![entry * 3 + 2] ?? 0;
      const alpha = transparency?.[entry] ?? 255;
      pixels.set([red, green, blue, alpha], target);
    }
  }
  return { width, height, pixels };
}

function chunk(type: string, data: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(data.length, 0);
  header.write(type, 4, 'latin1');
  const typeBytes = header.subarray(4, 8);
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(crc32([typeBytes, data]), 0);
  return Buffer.concat([header, data, trailer]);
}

/** Encodes an RGBA raster as a PNG (color type 6, the Sub filter on every row). */
export function encodePng(raster: Raster): Buffer<ArrayBuffer> {
  const { width, height, pixels } = raster;
  const stride = width * 4;
  const filtered = Buffer.alloc(height * (stride + 1));
  for (let row = 0; row < height; row++) {
    const target = row * (stride + 1);
    filtered[target] = 1;
    for (let column = 0; column < stride; column++) {
      const value = pixels[row * stride + column]!;
      const left = column >= 4 ? pixels[row * stride + column - 4]! : 0;
      filtered[target + 1 + column] = (value - left) & 0xff;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 6;
  return Buffer.concat([
    pngSignature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(filtered, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
