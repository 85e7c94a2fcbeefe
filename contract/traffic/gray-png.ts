import { crc32, deflateSync } from 'node:zlib';

/**
 * An 8-bit grayscale PNG (colour type 0: no alpha channel), as a user's mask usually is: white
 * where `white(x, y)` says, black elsewhere. The simulator's test images are all RGBA, which would
 * hide a mask sent without its conversion to Eden's transparent-means-edit form.
 */
export function grayMask(options: {
  width: number;
  height: number;
  white: (x: number, y: number) => boolean;
}): Uint8Array {
  const { width, height } = options;
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows[y * (width + 1) + 1 + x] = options.white(x, y) ? 255 : 0;
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, checksum]);
}
