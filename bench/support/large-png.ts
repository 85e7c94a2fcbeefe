import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { crc32 } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(data.length, 0);
  header.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])), 0);
  return Buffer.concat([header, data, crc]);
}

/**
 * Writes a PNG of exactly `bytes` bytes without holding it in memory: a real signature and IHDR, then
 * one private ancillary chunk of filler, then IEND. Every image sniffer takes it for a PNG; a decoder
 * finds no pixel data and gives up at once, which keeps the simulator from spending time on it.
 */
export async function writeLargePng(options: { path: string; bytes: number }): Promise<void> {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const ihdrData = Buffer.alloc(13);
  ihdrData.writeUInt32BE(4096, 0);
  ihdrData.writeUInt32BE(4096, 4);
  ihdrData[8] = 8; // bit depth
  ihdrData[9] = 6; // RGBA
  const head = Buffer.concat([signature, chunk('IHDR', ihdrData)]);
  const end = chunk('IEND', Buffer.alloc(0));
  const fillerLength = options.bytes - head.length - end.length - 12;
  if (fillerLength < 0) throw new Error(`writeLargePng: ${options.bytes} bytes is too small for a PNG`);
  const stream = createWriteStream(options.path);
  const write = async (buffer: Buffer) => {
    if (!stream.write(buffer)) await once(stream, 'drain');
  };
  await write(head);
  const lengthField = Buffer.alloc(4);
  lengthField.writeUInt32BE(fillerLength, 0);
  await write(Buffer.concat([lengthField, Buffer.from('fiLl', 'latin1')]));
  // The chunk's CRC is not checked by anyone reading this file; computing it over the filler is cheap anyway.
  let crc = crc32(Buffer.from('fiLl', 'latin1'));
  const piece = Buffer.alloc(1 << 20);
  for (let index = 0; index < piece.length; index++) piece[index] = (index * 31 + 7) & 0xff;
  for (let left = fillerLength; left > 0; left -= piece.length) {
    const part = left >= piece.length ? piece : piece.subarray(0, left);
    crc = crc32(part, crc);
    await write(part);
  }
  const crcField = Buffer.alloc(4);
  crcField.writeUInt32BE(crc, 0);
  await write(crcField);
  await write(end);
  stream.end();
  await once(stream, 'finish');
}
