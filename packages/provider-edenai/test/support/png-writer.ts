import { crc32, deflateSync } from 'node:zlib';

/**
 * Writes PNGs of any colour type and bit depth, straight from the PNG specification, so the mask
 * tests feed the converter inputs made by neither the converter's library (fast-png) nor the one
 * that reads its output (pngjs).
 */
export function writePng(options: {
  width: number;
  height: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA. */
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  /** Samples of each pixel, in row order: one per channel (a palette index for colour type 3). */
  pixel: (x: number, y: number) => number[];
  /** `PLTE` entries, `[r, g, b]`. */
  palette?: number[][];
  /** `tRNS` payload: palette alphas, or the one transparent gray / RGB value. */
  transparency?: number[];
}): Uint8Array {
  const { width, height, colorType, bitDepth } = options;
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType];
  const rows: number[] = [];
  for (let y = 0; y < height; y++) {
    rows.push(0); // filter type None
    let bitBuffer = 0;
    let bitCount = 0;
    for (let x = 0; x < width; x++) {
      const samples = options.pixel(x, y);
      if (samples.length !== channels) throw new Error(`pixel ${x},${y}: ${channels} samples expected`);
      for (const sample of samples) {
        if (bitDepth === 16) rows.push(sample >> 8, sample & 0xff);
        else if (bitDepth === 8) rows.push(sample);
        else {
          bitBuffer = (bitBuffer << bitDepth) | sample;
          bitCount += bitDepth;
          if (bitCount === 8) {
            rows.push(bitBuffer);
            bitBuffer = 0;
            bitCount = 0;
          }
        }
      }
    }
    if (bitCount > 0) rows.push(bitBuffer << (8 - bitCount));
  }
  const chunks: Uint8Array[] = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])];
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([bitDepth, colorType, 0, 0, 0], 8);
  chunks.push(chunk('IHDR', header));
  if (options.palette) chunks.push(chunk('PLTE', Uint8Array.from(options.palette.flat())));
  if (options.transparency) {
    const bytes =
      colorType === 3
        ? Uint8Array.from(options.transparency)
        : Uint8Array.from(options.transparency.flatMap((value) => [value >> 8, value & 0xff]));
    chunks.push(chunk('tRNS', bytes));
  }
  chunks.push(chunk('IDAT', deflateSync(Uint8Array.from(rows))));
  chunks.push(chunk('IEND', new Uint8Array(0)));
  const total = chunks.reduce((sum, part) => sum + part.length, 0);
  const png = new Uint8Array(total);
  let offset = 0;
  for (const part of chunks) {
    png.set(part, offset);
    offset += part.length;
  }
  return png;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(12 + data.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, data.length);
  const typeAndData = new Uint8Array(4 + data.length);
  typeAndData.set(Array.from(type, (letter) => letter.charCodeAt(0)));
  typeAndData.set(data, 4);
  bytes.set(typeAndData, 4);
  view.setUint32(8 + data.length, crc32(typeAndData));
  return bytes;
}
