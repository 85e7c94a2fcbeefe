import { decodeBase64, encodeBase64 } from './base64.ts';
import { InvalidRequestError } from './errors/invalid-request-error.ts';
import { extensionFor, type ImageMediaType, sniffImageMediaType } from './media-type.ts';
import { PROVIDER_ID } from './model-id.ts';
import { nodeCrypto, nodeFs, nodeFsPromises } from './node-only.ts';

/** A picture stored on disk, read lazily (never whole into memory when a provider can stream it). */
export interface ImagePathInput {
  /** Absolute or relative path of a PNG, JPEG, WebP or GIF file. */
  path: string;
}

/** A file already uploaded to a provider, referenced by the provider's id. */
export interface ProviderFileInput {
  /** The provider's file id (e.g. from Eden AI's `POST /v3/upload`). */
  fileId: string;
  /** The provider that holds the file, e.g. `edenai`. */
  provider: string;
}

/**
 * Any way of giving Retouch an input image:
 * - an `https://` or `http://` URL string, sent as is to providers that take URLs;
 * - a `data:image/...;base64,...` URL;
 * - raw bytes (`Uint8Array`, including Node's `Buffer`, or `ArrayBuffer`);
 * - a `Blob` or `File`;
 * - `{ path }`: a file on disk, read lazily, its media type sniffed from its bytes;
 * - `{ fileId, provider }`: a file uploaded to a provider beforehand.
 *
 * @example
 * const images: ImageInput[] = ['https://example.com/cat.png', { path: './dog.jpg' }, await readFile('bird.webp')];
 */
export type ImageInput = string | Uint8Array | ArrayBuffer | Blob | ImagePathInput | ProviderFileInput;

/** An input image after validation: one of four shapes an adapter handles. */
export type NormalizedImage =
  | {
      /** An `http(s)` URL, passed to providers that download images themselves. */
      readonly kind: 'url';
      /** The URL as given. */
      readonly url: string;
    }
  | {
      /** Bytes in memory. */
      readonly kind: 'bytes';
      /** The image bytes. */
      readonly data: Uint8Array;
      /** The media type sniffed from the bytes. */
      readonly mediaType: ImageMediaType;
      /** Where the bytes came from: a `data:` URL or bytes the caller passed. */
      readonly origin: 'data-url' | 'bytes';
    }
  | {
      /** A `Blob` or `File`. */
      readonly kind: 'blob';
      /** The blob as given. */
      readonly blob: Blob;
      /** The media type sniffed from the blob's first bytes. */
      readonly mediaType: ImageMediaType;
      /** Its size in bytes. */
      readonly size: number;
    }
  | {
      /** A file on disk, read only when it is sent. */
      readonly kind: 'file';
      /** The file's path. */
      readonly path: string;
      /** The media type sniffed from the file's first bytes. */
      readonly mediaType: ImageMediaType;
      /** Its size in bytes. */
      readonly size: number;
    }
  | {
      /** A file already uploaded to a provider. */
      readonly kind: 'file-id';
      /** The provider's file id. */
      readonly fileId: string;
      /** The provider that holds the file. */
      readonly provider: string;
    };

/** True when the image's bytes are local (bytes, blob, or a file), not a URL or provider file. */
export function isLocalImage(image: NormalizedImage): boolean {
  return image.kind === 'bytes' || image.kind === 'blob' || image.kind === 'file';
}

const DATA_URL = /^data:(image\/(?:png|jpeg|jpg|webp|gif));base64,([A-Za-z0-9+/=\s]*)$/i;

/**
 * Validates one image input and turns it into a {@link NormalizedImage}. A file is opened only to
 * read its first bytes; nothing is sent anywhere. Throws {@link InvalidRequestError} naming `path`
 * (the request field, e.g. `images.1`) for anything unusable.
 */
export async function normalizeImageInput(input: unknown, path: string): Promise<NormalizedImage> {
  return normalizeImageNow(input, path);
}

/**
 * @internal
 * {@link normalizeImageInput} without a promise for what needs no reading (a URL, bytes, a provider
 * file): the image itself, or a promise for a `Blob` or a file. Throws as it does.
 */
export function normalizeImageNow(input: unknown, path: string): NormalizedImage | Promise<NormalizedImage> {
  const fail = (message: string): never => {
    throw new InvalidRequestError({ issues: [{ path, message }] });
  };
  if (typeof input === 'string') return normalizeString(input, fail);
  if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
    const data = input instanceof Uint8Array ? input : new Uint8Array(input);
    if (data.byteLength === 0)
      fail('the image is empty (0 bytes); pass the bytes of a PNG, JPEG, WebP or GIF image');
    const mediaType = sniffImageMediaType(data) ?? fail(notAnImage('the bytes'));
    return { kind: 'bytes', data, mediaType, origin: 'bytes' };
  }
  if (input instanceof Blob) {
    if (input.size === 0) fail('the Blob is empty (0 bytes); pass a PNG, JPEG, WebP or GIF image');
    return normalizeBlob(input, fail);
  }
  if (typeof input === 'object' && input !== null) {
    const record = input as Record<string, unknown>;
    if ('path' in record) return normalizePath(record, fail);
    if ('fileId' in record) {
      const keys = Object.keys(record).filter((key) => key !== 'fileId' && key !== 'provider');
      if (keys.length > 0) fail(`unexpected key "${keys[0]}"; a provider file is { fileId, provider }`);
      if (typeof record.fileId !== 'string' || record.fileId.trim() === '') {
        fail('fileId must be a non-empty string: the id the provider returned for the upload');
      }
      if (typeof record.provider !== 'string' || !PROVIDER_ID.test(record.provider)) {
        fail('provider must name the provider holding the file, e.g. { fileId, provider: "edenai" }');
      }
      return { kind: 'file-id', fileId: record.fileId as string, provider: record.provider as string };
    }
  }
  return fail(
    'unsupported image input; pass an http(s) URL, a data: URL, a Uint8Array/ArrayBuffer, a Blob, { path } or { fileId, provider }',
  );
}

async function normalizeBlob(input: Blob, fail: (message: string) => never): Promise<NormalizedImage> {
  const head = new Uint8Array(await input.slice(0, 16).arrayBuffer());
  const mediaType = sniffImageMediaType(head) ?? fail(notAnImage('the Blob'));
  return { kind: 'blob', blob: input, mediaType, size: input.size };
}

function normalizeString(input: string, fail: (message: string) => never): NormalizedImage {
  const text = input.trim();
  if (text === '')
    return fail('the image URL is empty; pass an https:// URL, a data: URL, or { path } for a local file');
  if (/^data:/i.test(text)) {
    const match = DATA_URL.exec(text);
    if (!match) {
      return fail(
        'a data: URL must be data:image/(png|jpeg|webp|gif);base64,<data>; other data URLs are not images',
      );
    }
    let data: Uint8Array;
    try {
      data = decodeBase64(match[2]!);
    } catch {
      return fail('the data: URL is not valid base64; encode the image bytes with base64');
    }
    if (data.byteLength === 0)
      return fail('the data: URL holds no bytes; encode a PNG, JPEG, WebP or GIF image in it');
    const mediaType = sniffImageMediaType(data) ?? fail(notAnImage('the data: URL'));
    return { kind: 'bytes', data, mediaType, origin: 'data-url' };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(`"${truncate(text)}" is not a URL; for a file on disk pass { path: "${truncate(text)}" }`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return fail(
      `the ${url.protocol} scheme is not allowed; use an https:// URL, a data: URL, or { path } for a local file`,
    );
  }
  if (url.username || url.password) {
    return fail(
      'the URL carries credentials (user:password@); pass a URL the provider can fetch without them',
    );
  }
  return { kind: 'url', url: url.href };
}

async function normalizePath(
  record: Record<string, unknown>,
  fail: (message: string) => never,
): Promise<NormalizedImage> {
  const extra = Object.keys(record).filter((key) => key !== 'path');
  if (extra.length > 0) fail(`unexpected key "${extra[0]}"; a file input is { path }`);
  const filePath = record.path;
  if (typeof filePath !== 'string' || filePath.trim() === '')
    fail('path must be a non-empty string naming an image file');
  const path = filePath as string;
  const { open, stat } = await nodeFsPromises('reading an image from { path }');
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) fail(`"${path}" is not a file; pass the path of a PNG, JPEG, WebP or GIF image`);
    size = info.size;
  } catch (error) {
    if (InvalidRequestError.isInstance(error)) throw error;
    return fail(
      `no readable file at "${path}" (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path`,
    );
  }
  if (size === 0) fail(`"${path}" is empty (0 bytes); pass a PNG, JPEG, WebP or GIF image`);
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(16);
    const { bytesRead } = await handle.read(head, 0, 16, 0);
    const mediaType = sniffImageMediaType(head.subarray(0, bytesRead)) ?? fail(notAnImage(`"${path}"`));
    return { kind: 'file', path, mediaType, size };
  } finally {
    await handle.close();
  }
}

function notAnImage(what: string): string {
  return `${what} is not a PNG, JPEG, WebP or GIF image (its first bytes match none); convert it to one of those`;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The image as a `Blob` for a multipart body. A file becomes a disk-backed Blob (`fs.openAsBlob`),
 * so uploading it streams from disk instead of reading it into memory.
 */
export async function imageToBlob(image: NormalizedImage): Promise<Blob> {
  switch (image.kind) {
    case 'file': {
      const { openAsBlob } = await nodeFs('reading an image from { path }');
      return openAsBlob(image.path, { type: image.mediaType });
    }
    case 'blob':
      return image.blob.type === image.mediaType
        ? image.blob
        : image.blob.slice(0, image.size, image.mediaType);
    case 'bytes':
      return new Blob([image.data as Uint8Array<ArrayBuffer>], { type: image.mediaType });
    default:
      throw new TypeError(`imageToBlob: a ${image.kind} image has no local bytes`);
  }
}

/** The image's bytes, read whole. Prefer {@link imageToBlob} for uploads of files. */
export async function imageToBytes(image: NormalizedImage): Promise<Uint8Array> {
  if (image.kind === 'bytes') return image.data;
  const blob = await imageToBlob(image);
  return new Uint8Array(await blob.arrayBuffer());
}

/** The image as a `data:<type>;base64,...` URL (reads the bytes whole). */
export async function imageToDataUrl(image: NormalizedImage): Promise<string> {
  if (image.kind === 'url') return image.url;
  const bytes = await imageToBytes(image);
  const mediaType = image.kind === 'file-id' ? 'image/png' : image.mediaType;
  return `data:${mediaType};base64,${encodeBase64(bytes)}`;
}

/**
 * A file name for the image in a multipart body: the name of the file on disk or of the `File`, or
 * `image-<index>.<ext>`. Only the last path segment is kept, so a name never reads as a path.
 */
export function imageFileName(image: NormalizedImage, index: number): string {
  if (image.kind === 'file') return basename(image.path);
  if (image.kind === 'blob' && image.blob instanceof File) {
    const name = basename(image.blob.name.replaceAll('\\', '/'));
    if (name !== '' && name !== '.' && name !== '..') return name;
  }
  const mediaType = image.kind === 'bytes' || image.kind === 'blob' ? image.mediaType : 'image/png';
  return `image-${index}.${extensionFor(mediaType)}`;
}

/**
 * SHA-256 of the image's bytes (hex). Used to upload one picture once. A file is hashed as it streams
 * from disk (Node's crypto, which a runtime with a file system has); everything else with Web Crypto.
 */
export async function imageContentHash(image: NormalizedImage): Promise<string> {
  if (image.kind === 'file') {
    const what = 'hashing an image read from { path }';
    const [{ createHash }, { createReadStream }] = await Promise.all([nodeCrypto(what), nodeFs(what)]);
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(image.path)) hash.update(chunk as Uint8Array);
    return hash.digest('hex');
  }
  const bytes =
    image.kind === 'url'
      ? new TextEncoder().encode(`url:${image.url}`)
      : image.kind === 'file-id'
        ? new TextEncoder().encode(`file-id:${image.provider}:${image.fileId}`)
        : await imageToBytes(image);
  return sha256Hex(bytes);
}

/**
 * SHA-256 of a text (as UTF-8) or of bytes, in hex, with Web Crypto: the same on every runtime.
 *
 * @example
 * await sha256Hex('abc'); // 'ba7816bf…'
 */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The last segment of a path, with `/` or `\\` as separators. */
function basename(path: string): string {
  return (
    path
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? ''
  );
}
