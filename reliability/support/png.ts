import { createTestImage } from '@retouch/simulator';

/** A small valid RGBA PNG, each row a shade darker, offset by `shade` so different inputs have different content. */
export function pngBytes(options: { width?: number; height?: number; shade?: number } = {}): Uint8Array {
  return createTestImage({
    width: options.width ?? 8,
    height: options.height ?? 8,
    color: ({ y }) => {
      const value = (y * 16 + (options.shade ?? 0)) % 256;
      return [value, value, value, value];
    },
  });
}

/** Whether the bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
}
