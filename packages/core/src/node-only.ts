import { RetouchError } from './errors/retouch-error.ts';

type NodeFs = typeof import('node:fs');
type NodeFsPromises = typeof import('node:fs/promises');
type NodeCrypto = typeof import('node:crypto');

/**
 * Loads a Node built-in on first use, for the conveniences only a runtime with a file system has
 * (`{ path }` inputs, streaming files from disk). Importing `@retouch/core` never loads one, so core
 * runs on Cloudflare Workers and in browsers; there a `{ path }` input fails with a clear error.
 */
async function load<T>(specifier: string, what: string): Promise<T> {
  try {
    return (await import(/* @vite-ignore */ specifier)) as T;
  } catch (error) {
    throw new RetouchError({
      message: `${what} needs a runtime with Node's ${specifier} (Node.js, Bun or Deno); this one has none: pass the image as bytes, a Blob or a URL instead`,
      cause: error,
    });
  }
}

let fs: Promise<NodeFs> | undefined;
let fsPromises: Promise<NodeFsPromises> | undefined;
let crypto: Promise<NodeCrypto> | undefined;

/** `node:fs`, loaded on first use. */
export function nodeFs(what: string): Promise<NodeFs> {
  fs ??= load<NodeFs>('node:fs', what).catch((error: unknown) => {
    fs = undefined;
    throw error;
  });
  return fs;
}

/** `node:fs/promises`, loaded on first use. */
export function nodeFsPromises(what: string): Promise<NodeFsPromises> {
  fsPromises ??= load<NodeFsPromises>('node:fs/promises', what).catch((error: unknown) => {
    fsPromises = undefined;
    throw error;
  });
  return fsPromises;
}

/** `node:crypto`, loaded on first use (for hashing a file as it streams from disk). */
export function nodeCrypto(what: string): Promise<NodeCrypto> {
  crypto ??= load<NodeCrypto>('node:crypto', what).catch((error: unknown) => {
    crypto = undefined;
    throw error;
  });
  return crypto;
}
