import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ImageInput } from '@retouch/core';
import { sniffImageMediaType } from '@retouch/core/provider-utils';
import type { CommandName } from './args/command-names.ts';
import { UsageError } from './usage-error.ts';

/** An image named on the command line, checked and ready for a request. */
export interface ResolvedImage {
  /** What goes into `EditRequest.images` (or `mask`). */
  input: ImageInput;
  /** What the user wrote. */
  source: string;
  /** The absolute path, for local files. */
  path?: string;
}

/**
 * Turns an `--image`/`--mask` value into a request input: `https://`, `http://` and `data:` values
 * pass as they are; anything else is a file, resolved against `cwd` and checked to exist and to be
 * an image before any network call.
 */
export async function resolveImage(options: {
  value: string;
  cwd: string;
  flag: string;
  command: CommandName;
}): Promise<ResolvedImage> {
  const { value } = options;
  if (/^(https?:\/\/|data:)/i.test(value)) return { input: value, source: value };
  const path = resolve(options.cwd, value);
  const fail = (reason: string): never => {
    throw new UsageError({ command: options.command, message: `${options.flag} ${value}: ${reason}` });
  };
  try {
    const info = await stat(path);
    if (!info.isFile()) fail('not a file; pass a PNG, JPEG, WebP or GIF picture');
  } catch (error) {
    if (UsageError.isInstance(error)) throw error;
    fail('no such file');
  }
  const head = (await readFile(path)).subarray(0, 16);
  if (!sniffImageMediaType(head)) fail('not a PNG, JPEG, WebP or GIF picture');
  return { input: { path }, source: value, path };
}
