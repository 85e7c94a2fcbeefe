import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { GeneratedImage } from '@retouch/core';
import { extensionFor, imageSize } from '@retouch/core/provider-utils';
import type { SavedImage } from './results.ts';

/**
 * Downloads (or decodes) every output image and writes it as `<directory>/<baseName>-<n>.<ext>`.
 * Returns each file relative to `root`, with `/` separators, as `results.json` records them.
 */
export async function saveImages(options: {
  images: readonly GeneratedImage[];
  root: string;
  directory: string;
  baseName: string;
}): Promise<SavedImage[]> {
  await mkdir(options.directory, { recursive: true });
  const saved: SavedImage[] = [];
  for (const [index, image] of options.images.entries()) {
    const bytes = await image.bytes();
    const extension = extensionFor(image.mediaType);
    const path = join(options.directory, `${options.baseName}-${index + 1}.${extension}`);
    await writeFile(path, bytes);
    const entry: SavedImage = {
      file: relative(options.root, path).split(sep).join('/'),
      mediaType: image.mediaType,
      bytes: bytes.byteLength,
    };
    const size = imageSize(bytes);
    if (size) Object.assign(entry, size);
    saved.push(entry);
  }
  return saved;
}
