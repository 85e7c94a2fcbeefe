import { readFile } from 'node:fs/promises';
import type { ImagePathInput } from '@retouch/core';

/** The bytes of an input picture: a file, a `data:` URL, or (for the judge only) an `https:` URL. */
export async function readImage(image: string | ImagePathInput): Promise<Uint8Array> {
  if (typeof image !== 'string') return new Uint8Array(await readFile(image.path));
  if (/^https?:/i.test(image)) {
    const response = await fetch(image);
    if (!response.ok) throw new Error(`${image} answered ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }
  const comma = image.indexOf(',');
  const header = image.slice(0, comma);
  const body = image.slice(comma + 1);
  return new Uint8Array(
    header.endsWith(';base64')
      ? Buffer.from(body, 'base64')
      : Buffer.from(decodeURIComponent(body), 'latin1'),
  );
}
