import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RetouchError } from '@retouch/core';
import { extensionFor } from '@retouch/core/provider-utils';

/** One output image handed to an {@link OutputSink}. */
export interface OutputImage {
  /** The queued job's id. */
  jobId: string;
  /** The image's position among the edit's outputs, from 0. */
  index: number;
  /** The image's bytes. */
  bytes: Uint8Array;
  /** Its media type, e.g. `image/png`. */
  mediaType: string;
  /** A file name for it, unique within the queue: `<jobId>-<index + 1>.<extension>`. */
  fileName: string;
}

/** Where an {@link OutputSink} put an image: a file path, or a URL (an object store). */
export type OutputLocation =
  | {
      /** The file's absolute path. */
      path: string;
    }
  | {
      /** Where the object store serves it (`https://…`, `s3://…`). */
      url: string;
    };

/**
 * Stores one output image and says where it is: an S3-like store, say, since the providers' own
 * result URLs expire. Called again with the same `fileName` when a job is retried after a crash, so
 * writing to a key made from it is safe.
 *
 * @example
 * const sink: OutputSink = async ({ bytes, fileName, mediaType }) => {
 *   await s3.putObject({ Bucket: 'edits', Key: fileName, Body: bytes, ContentType: mediaType });
 *   return { url: `s3://edits/${fileName}` };
 * };
 */
export type OutputSink = (image: OutputImage) => Promise<OutputLocation>;

/**
 * A sink writing into `directory` (created as needed): each file is written whole under a temporary
 * name and then renamed, so a worker that dies mid-write never leaves half a picture under the real name.
 *
 * @example
 * createEditWorker({ ..., output: directoryOutput('/mnt/shared/edits') });
 */
export function directoryOutput(directory: string): OutputSink {
  if (typeof directory !== 'string' || directory.trim() === '') {
    throw new RetouchError({ message: 'directoryOutput: pass the directory to write outputs into' });
  }
  const root = resolve(directory);
  let made: Promise<unknown> | undefined;
  return async ({ bytes, fileName }) => {
    made ??= mkdir(root, { recursive: true });
    await made;
    const path = join(root, fileName);
    const partial = `${path}.${randomUUID()}.partial`;
    try {
      await writeFile(partial, bytes);
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return { path };
  };
}

/** The file name of one output: the job id made safe for a file system, its position and extension. */
export function outputFileName(options: { jobId: string; index: number; mediaType: string }): string {
  const safe = options.jobId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
  return `${safe}-${options.index + 1}.${extensionFor(options.mediaType)}`;
}
