import { copyFile, mkdtemp, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidRequestError } from '@retouch/core';
import {
  type ImageMediaType,
  imageContentHash,
  imageFileName,
  imageToBlob,
  imageToBytes,
  imageToDataUrl,
  isLocalImage,
  type NormalizedImage,
  normalizeImageInput,
  sniffImageMediaType,
} from '@retouch/core/provider-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const fixture = (name: string): string => join(fixtures, name);

const formats: { file: string; mediaType: ImageMediaType; extension: string }[] = [
  { file: 'tiny.png', mediaType: 'image/png', extension: 'png' },
  { file: 'tiny.jpg', mediaType: 'image/jpeg', extension: 'jpg' },
  { file: 'tiny.webp', mediaType: 'image/webp', extension: 'webp' },
  { file: 'tiny.gif', mediaType: 'image/gif', extension: 'gif' },
];

const bytesOf: Record<string, Uint8Array> = {};
let scratch: string;

beforeAll(async () => {
  for (const { file } of formats) bytesOf[file] = new Uint8Array(await readFile(fixture(file)));
  scratch = await mkdtemp(join(tmpdir(), 'retouch-image-input-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const dataUrl = (bytes: Uint8Array, mediaType: string): string =>
  `data:${mediaType};base64,${Buffer.from(bytes).toString('base64')}`;

/** Normalizes and expects an InvalidRequestError whose single issue sits at `path`. */
async function rejection(input: unknown, path = 'images.0'): Promise<InvalidRequestError> {
  const error = await normalizeImageInput(input, path).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(InvalidRequestError.isInstance(error), `expected InvalidRequestError, got ${String(error)}`).toBe(
    true,
  );
  const invalid = error as InvalidRequestError;
  expect(invalid.issues).toHaveLength(1);
  expect(invalid.issues[0]!.path).toBe(path);
  expect(invalid.message).toContain(path);
  return invalid;
}

describe('URL strings', () => {
  test('an https URL is kept as a URL', async () => {
    expect(await normalizeImageInput('https://example.com/cat.png?size=2', 'images.0')).toEqual({
      kind: 'url',
      url: 'https://example.com/cat.png?size=2',
    });
  });

  test('an http URL is accepted and normalized by the URL parser', async () => {
    expect(await normalizeImageInput('  http://EXAMPLE.com/a b.png ', 'images.0')).toEqual({
      kind: 'url',
      url: 'http://example.com/a%20b.png',
    });
  });

  test('an empty string is refused with the fix', async () => {
    const error = await rejection('   ');
    expect(error.issues[0]!.message).toMatch(/empty.*https:\/\/.*\{ path \}/);
  });

  test.each([
    ['file:///etc/passwd', /file: scheme is not allowed/],
    ['javascript:alert(1)', /javascript: scheme is not allowed/],
    ['ftp://example.com/a.png', /ftp: scheme is not allowed/],
    ['https://user:secret@example.com/a.png', /credentials/],
    ['cat.png', /not a URL; for a file on disk pass \{ path: "cat.png" \}/],
  ])('%s is refused', async (input, message) => {
    const error = await rejection(input);
    expect(error.issues[0]!.message).toMatch(message);
  });

  test('a long non-URL is truncated in the message', async () => {
    const error = await rejection('x'.repeat(500));
    expect(error.message.length).toBeLessThan(400);
    expect(error.message).toContain('...');
  });
});

describe('data: URLs', () => {
  test.each(formats)('a data: URL of a $mediaType image becomes its bytes', async ({ file, mediaType }) => {
    const image = await normalizeImageInput(dataUrl(bytesOf[file]!, mediaType), 'images.0');
    expect(image).toEqual({ kind: 'bytes', data: bytesOf[file], mediaType, origin: 'data-url' });
  });

  test('the media type is sniffed from the bytes, not trusted from the label', async () => {
    const image = await normalizeImageInput(dataUrl(bytesOf['tiny.webp']!, 'image/png'), 'mask');
    expect(image).toMatchObject({ kind: 'bytes', mediaType: 'image/webp' });
  });

  test('image/jpg and upper-case labels are accepted, and whitespace in base64 is ignored', async () => {
    const base64 = Buffer.from(bytesOf['tiny.jpg']!).toString('base64');
    const wrapped = `${base64.slice(0, 40)}\n${base64.slice(40)}`;
    const image = await normalizeImageInput(`DATA:IMAGE/JPG;BASE64,${wrapped}`, 'images.0');
    expect(image).toMatchObject({ kind: 'bytes', mediaType: 'image/jpeg', data: bytesOf['tiny.jpg'] });
  });

  test.each([
    ['data:text/plain;base64,aGVsbG8=', /data:image\/\(png\|jpeg\|webp\|gif\);base64/],
    ['data:image/png,rawtext', /data:image\/\(png\|jpeg\|webp\|gif\);base64/],
    ['data:image/png;base64,', /holds no bytes/],
    [`data:image/png;base64,${Buffer.from('plain text, not pixels').toString('base64')}`, /not a PNG/],
  ])('%s is refused', async (input, message) => {
    const error = await rejection(input);
    expect(error.issues[0]!.message).toMatch(message);
  });
});

describe('bytes and blobs', () => {
  test.each(formats)('a Uint8Array of a $mediaType image is sniffed', async ({ file, mediaType }) => {
    expect(await normalizeImageInput(bytesOf[file], 'images.0')).toEqual({
      kind: 'bytes',
      data: bytesOf[file],
      mediaType,
      origin: 'bytes',
    });
  });

  test('a Buffer is accepted as bytes', async () => {
    const buffer = await readFile(fixture('tiny.gif'));
    const image = await normalizeImageInput(buffer, 'images.0');
    expect(image).toMatchObject({ kind: 'bytes', mediaType: 'image/gif', origin: 'bytes' });
    expect(new Uint8Array(await imageToBytes(image))).toEqual(new Uint8Array(buffer));
  });

  test('an ArrayBuffer is accepted as bytes', async () => {
    const source = bytesOf['tiny.png']!;
    const arrayBuffer = source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength);
    const image = await normalizeImageInput(arrayBuffer, 'images.0');
    expect(image).toMatchObject({ kind: 'bytes', mediaType: 'image/png' });
    expect(await imageToBytes(image)).toEqual(source);
  });

  test('a Blob keeps its size and sniffed type, whatever type it was labelled with', async () => {
    const blob = new Blob([bytesOf['tiny.webp']! as Uint8Array<ArrayBuffer>], {
      type: 'application/octet-stream',
    });
    const image = await normalizeImageInput(blob, 'images.0');
    expect(image).toEqual({
      kind: 'blob',
      blob,
      mediaType: 'image/webp',
      size: bytesOf['tiny.webp']!.length,
    });
    const relabelled = await imageToBlob(image);
    expect(relabelled.type).toBe('image/webp');
    expect(new Uint8Array(await relabelled.arrayBuffer())).toEqual(bytesOf['tiny.webp']);
  });

  test('a File is a Blob and keeps its name for multipart uploads', async () => {
    const file = new File([bytesOf['tiny.jpg']! as Uint8Array<ArrayBuffer>], 'holiday.jpeg', {
      type: 'image/jpeg',
    });
    const image = await normalizeImageInput(file, 'images.2');
    expect(image).toMatchObject({ kind: 'blob', mediaType: 'image/jpeg', size: bytesOf['tiny.jpg']!.length });
    expect(await imageToBlob(image)).toBe(file);
    expect(imageFileName(image, 2)).toBe('holiday.jpeg');
  });

  test.each([
    ['an empty Uint8Array', new Uint8Array(), /empty \(0 bytes\)/],
    ['an empty ArrayBuffer', new ArrayBuffer(0), /empty \(0 bytes\)/],
    ['an empty Blob', new Blob([]), /Blob is empty/],
    ['text bytes', new TextEncoder().encode('hello world, not an image'), /not a PNG, JPEG, WebP or GIF/],
    ['a text Blob', new Blob(['hello world'], { type: 'image/png' }), /the Blob is not a PNG/],
  ])('%s is refused', async (_name, input, message) => {
    const error = await rejection(input);
    expect(error.issues[0]!.message).toMatch(message);
  });
});

describe('{ path }', () => {
  test.each(formats)('$file on disk is sniffed as $mediaType', async ({ file, mediaType }) => {
    const image = await normalizeImageInput({ path: fixture(file) }, 'images.0');
    expect(image).toEqual({ kind: 'file', path: fixture(file), mediaType, size: bytesOf[file]!.length });
    expect(isLocalImage(image)).toBe(true);
  });

  test('a file whose name lies about its type is sniffed from its bytes', async () => {
    const path = join(scratch, 'really-a-gif.png');
    await copyFile(fixture('tiny.gif'), path);
    expect(await normalizeImageInput({ path }, 'images.0')).toMatchObject({ mediaType: 'image/gif' });
  });

  test('a 0-byte file is refused', async () => {
    const error = await rejection({ path: fixture('empty.png') });
    expect(error.issues[0]!.message).toMatch(/empty \(0 bytes\); pass a PNG, JPEG, WebP or GIF image/);
  });

  test('a text file is refused even with a .png name', async () => {
    const error = await rejection({ path: fixture('not-an-image.png') });
    expect(error.issues[0]!.message).toMatch(/is not a PNG, JPEG, WebP or GIF image.*convert it/);
  });

  test('a missing path is refused with the error code and the fix', async () => {
    const error = await rejection({ path: join(scratch, 'nowhere.png') }, 'mask');
    expect(error.issues[0]!.message).toMatch(
      /no readable file at ".*nowhere\.png" \(ENOENT\); check the path/,
    );
  });

  test('a directory is refused', async () => {
    const error = await rejection({ path: fixtures });
    expect(error.issues[0]!.message).toMatch(/is not a file/);
  });

  test.each([
    [{ path: '' }, /path must be a non-empty string/],
    [{ path: 42 }, /path must be a non-empty string/],
    [{ path: fixture('tiny.png'), type: 'image/png' }, /unexpected key "type"; a file input is \{ path \}/],
  ])('%o is refused', async (input, message) => {
    const error = await rejection(input);
    expect(error.issues[0]!.message).toMatch(message);
  });
});

describe('{ fileId, provider }', () => {
  test('a provider file is kept as a reference', async () => {
    const image = await normalizeImageInput({ fileId: 'file_123', provider: 'edenai' }, 'images.0');
    expect(image).toEqual({ kind: 'file-id', fileId: 'file_123', provider: 'edenai' });
    expect(isLocalImage(image)).toBe(false);
  });

  test.each([
    [{ fileId: '', provider: 'edenai' }, /fileId must be a non-empty string/],
    [{ fileId: 7, provider: 'edenai' }, /fileId must be a non-empty string/],
    [{ fileId: 'file_1' }, /provider must name the provider/],
    [{ fileId: 'file_1', provider: 'Eden AI' }, /provider must name the provider/],
    [{ fileId: 'file_1', provider: 'edenai', url: 'x' }, /unexpected key "url"/],
  ])('%o is refused', async (input, message) => {
    const error = await rejection(input);
    expect(error.issues[0]!.message).toMatch(message);
  });
});

test.each([
  ['a number', 42],
  ['null', null],
  ['undefined', undefined],
  ['an empty object', {}],
  ['an array', [fixture('tiny.png')]],
])('%s is not an image input', async (_name, input) => {
  const error = await rejection(input);
  expect(error.issues[0]!.message).toMatch(/unsupported image input; pass an http\(s\) URL/);
});

describe('conversions', () => {
  test('imageToBlob of a file is disk-backed: its size is known and nothing is read until it is consumed', async () => {
    const path = join(scratch, 'lazy.jpg');
    await copyFile(fixture('tiny.jpg'), path);
    const image = await normalizeImageInput({ path }, 'images.0');
    const blob = await imageToBlob(image);
    expect(blob.size).toBe(bytesOf['tiny.jpg']!.length);
    expect(blob.type).toBe('image/jpeg');
    expect(new Uint8Array(await blob.slice(0, 3).arrayBuffer())).toEqual(bytesOf['tiny.jpg']!.subarray(0, 3));

    // A Blob holding the bytes in memory would still read after the file is gone; a disk-backed one cannot.
    const second = await imageToBlob(image);
    await unlink(path);
    await expect(second.arrayBuffer()).rejects.toThrow();
  });

  test('imageToBlob of bytes carries the sniffed type', async () => {
    const image = await normalizeImageInput(bytesOf['tiny.gif'], 'images.0');
    const blob = await imageToBlob(image);
    expect(blob.type).toBe('image/gif');
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(bytesOf['tiny.gif']);
  });

  test('imageToBlob refuses images without local bytes', async () => {
    await expect(imageToBlob({ kind: 'url', url: 'https://example.com/a.png' })).rejects.toThrow(TypeError);
    await expect(imageToBlob({ kind: 'file-id', fileId: 'f', provider: 'edenai' })).rejects.toThrow(
      /no local bytes/,
    );
  });

  test.each(formats)(
    'imageToDataUrl of $file round-trips through normalizeImageInput',
    async ({ file, mediaType }) => {
      const image = await normalizeImageInput({ path: fixture(file) }, 'images.0');
      const url = await imageToDataUrl(image);
      expect(url).toBe(dataUrl(bytesOf[file]!, mediaType));
      expect(await normalizeImageInput(url, 'images.0')).toEqual({
        kind: 'bytes',
        data: bytesOf[file],
        mediaType,
        origin: 'data-url',
      });
    },
  );

  test('imageToDataUrl of a subarray encodes only its own bytes', async () => {
    const padded = new Uint8Array(bytesOf['tiny.png']!.length + 8);
    padded.set(bytesOf['tiny.png']!, 4);
    const image = await normalizeImageInput(padded.subarray(4, 4 + bytesOf['tiny.png']!.length), 'images.0');
    expect(await imageToDataUrl(image)).toBe(dataUrl(bytesOf['tiny.png']!, 'image/png'));
  });

  test('imageToDataUrl of a URL is the URL itself', async () => {
    expect(await imageToDataUrl({ kind: 'url', url: 'https://example.com/a.png' })).toBe(
      'https://example.com/a.png',
    );
  });

  test('imageContentHash is the SHA-256 of the content, equal across every local form', async () => {
    const bytes = bytesOf['tiny.webp']!;
    const forms: unknown[] = [
      { path: fixture('tiny.webp') },
      bytes,
      Buffer.from(bytes),
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      new Blob([bytes as Uint8Array<ArrayBuffer>]),
      new File([bytes as Uint8Array<ArrayBuffer>], 'x.webp'),
      dataUrl(bytes, 'image/webp'),
    ];
    const expected = (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex');
    for (const form of forms) {
      const image = await normalizeImageInput(form, 'images.0');
      expect(await imageContentHash(image)).toBe(expected);
    }
    const other = await normalizeImageInput({ path: fixture('tiny.png') }, 'images.0');
    expect(await imageContentHash(other)).not.toBe(expected);
  });

  test('imageContentHash tells URLs and provider files apart from each other and from bytes', async () => {
    const hashes = new Set([
      await imageContentHash({ kind: 'url', url: 'https://example.com/a.png' }),
      await imageContentHash({ kind: 'url', url: 'https://example.com/b.png' }),
      await imageContentHash({ kind: 'file-id', fileId: 'a', provider: 'edenai' }),
      await imageContentHash({ kind: 'file-id', fileId: 'a', provider: 'oxen' }),
    ]);
    expect(hashes.size).toBe(4);
  });

  test('imageFileName uses the file name on disk, else image-<index>.<extension>', async () => {
    for (const { file, extension } of formats) {
      const fromDisk = await normalizeImageInput({ path: fixture(file) }, 'images.0');
      expect(imageFileName(fromDisk, 0)).toBe(file);
      const fromBytes = await normalizeImageInput(bytesOf[file], 'images.3');
      expect(imageFileName(fromBytes, 3)).toBe(`image-3.${extension}`);
      const fromBlob = await normalizeImageInput(
        new Blob([bytesOf[file]! as Uint8Array<ArrayBuffer>]),
        'mask',
      );
      expect(imageFileName(fromBlob, 1)).toBe(`image-1.${extension}`);
    }
  });

  test('imageFileName never lets a File name escape into a path', async () => {
    const file = new File([bytesOf['tiny.png']! as Uint8Array<ArrayBuffer>], '../../etc/evil.png');
    const image = await normalizeImageInput(file, 'images.0');
    expect(imageFileName(image, 0)).toBe('evil.png');
  });
});

describe('sniffImageMediaType', () => {
  test.each(formats)('recognizes $file', ({ file, mediaType }) => {
    expect(sniffImageMediaType(bytesOf[file]!)).toBe(mediaType);
  });

  test('GIF87a is recognized too', () => {
    expect(sniffImageMediaType(new TextEncoder().encode('GIF87a\x01\x00'))).toBe('image/gif');
  });

  test.each([
    ['nothing', new Uint8Array()],
    ['a truncated PNG signature', new Uint8Array([0x89, 0x50, 0x4e])],
    ['a RIFF that is not WebP', new TextEncoder().encode('RIFF\0\0\0\0WAVEfmt ')],
    ['a BMP', new TextEncoder().encode('BM6\0\0\0\0\0\0\0')],
    ['an SVG', new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>')],
  ])('rejects %s', (_name, bytes) => {
    expect(sniffImageMediaType(bytes)).toBeUndefined();
  });
});

test('normalized images of every local kind expose the same bytes', async () => {
  const path = fixture('tiny.gif');
  const images: NormalizedImage[] = [
    await normalizeImageInput({ path }, 'images.0'),
    await normalizeImageInput(bytesOf['tiny.gif'], 'images.1'),
    await normalizeImageInput(new Blob([bytesOf['tiny.gif']! as Uint8Array<ArrayBuffer>]), 'images.2'),
  ];
  for (const image of images) expect(await imageToBytes(image)).toEqual(bytesOf['tiny.gif']);
});
