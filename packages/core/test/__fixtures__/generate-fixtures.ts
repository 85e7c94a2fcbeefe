/**
 * Writes the tiny image fixtures the image-input tests read from disk: a 2×2 picture (one blue pixel,
 * three red) in each format Retouch sniffs, plus an empty file and a text file.
 * Run with `node packages/core/test/__fixtures__/generate-fixtures.ts`.
 */
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const directory = new URL('./', import.meta.url);
const red = [0xc0, 0x39, 0x2b];
const blue = [0x29, 0x80, 0xb9];

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function png(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0); // width
  header.writeUInt32BE(2, 4); // height
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour RGB
  // Each scanline starts with filter type 0.
  const pixels = Buffer.from([0, ...blue, ...red, 0, ...red, ...red]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(pixels)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function gif(): Buffer {
  // Palette index 1 is blue, 0 is red. LZW with a minimum code size of 2 encodes the pixels 1,0,0,0
  // as the codes clear(4), 1, 0, 7 ("0,0") and end(5): 3+3+3+4+4 bits packed least-significant first.
  const codes = 4 | (1 << 3) | (0 << 6) | (7 << 9) | (5 << 13);
  return Buffer.from([
    ...Buffer.from('GIF89a', 'ascii'),
    2,
    0,
    2,
    0, // logical screen 2×2
    0x80,
    0,
    0, // global colour table of 2 entries
    ...red,
    ...blue,
    0x2c,
    0,
    0,
    0,
    0,
    2,
    0,
    2,
    0,
    0, // image descriptor
    2, // LZW minimum code size
    3,
    codes & 0xff,
    (codes >> 8) & 0xff,
    (codes >> 16) & 0xff,
    0, // end of image data
    0x3b, // trailer
  ]);
}

// Baseline JPEG and lossy WebP encodings of the same picture (lossy: the blue pixel bleeds into the
// red ones), made by libjpeg-turbo and libwebp, with their metadata (ICC profile, VP8X header) stripped.
const jpeg = Buffer.from(
  'ffd8ffe000104a46494600010100000100010000ffdb00430006040506050406060506070706080a100a0a09090a140e0f0c1017141818171416161a1d251f1a1b231c1616202c20232627292a29191f2d302d283025282928ffdb0043010707070a080a130a0a13281a161a2828282828282828282828282828282828282828282828282828282828282828282828282828282828282828282828282828ffc00011080002000203012200021101031101ffc4001500010100000000000000000000000000000006ffc400161001010100000000000000000000000000000121ffc4001501010100000000000000000000000000000607ffc4001a110002020300000000000000000000000000010203323371ffda000c03010002110311003f0095bb7401fb32652e9d71e23fffd9',
  'hex',
);
const webp = Buffer.from(
  '524946463600000057454250565038202a0000007001009d012a0200020001402625a0027401750000feef512eb8b9b2228ffe59fffb2dff65baf4000000',
  'hex',
);

writeFileSync(new URL('tiny.png', directory), png());
writeFileSync(new URL('tiny.jpg', directory), jpeg);
writeFileSync(new URL('tiny.webp', directory), webp);
writeFileSync(new URL('tiny.gif', directory), gif());
writeFileSync(new URL('empty.png', directory), Buffer.alloc(0));
writeFileSync(new URL('not-an-image.png', directory), 'This is a text file whose name says PNG.\n');
