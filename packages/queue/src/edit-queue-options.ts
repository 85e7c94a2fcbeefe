import { RetouchError } from '@retouch/core';
import { checkName, checkOptionsObject } from './option-checks.ts';
import { DEFAULT_MAX_INLINE_BYTES } from './queued-edit.ts';
import {
  type RedisConnection,
  type ResolvedRedisConnection,
  resolveRedisConnection,
} from './redis-connection.ts';
import { DEFAULT_PREFIX, DEFAULT_QUEUE_NAME } from './redis-keys.ts';

/**
 * Options of {@link createEditQueue}.
 *
 * @example
 * const options: EditQueueOptions = { connection: 'redis://127.0.0.1:6379', name: 'catalogue' };
 */
export interface EditQueueOptions {
  /** The Redis the workers use. */
  connection: RedisConnection;
  /** The queue's name; workers serve the queue of the same name. @default 'retouch-edits' */
  name?: string;
  /** The first part of every Redis key (BullMQ's keys go under `<prefix>:queue`). @default 'retouch' */
  prefix?: string;
  /**
   * The most bytes of images one request may carry inline (bytes, Blobs, `data:` URLs): they travel
   * through Redis with the job. Pass `{ path }` to a file every worker can read, or a URL, instead.
   * @default 5242880 (5 MB)
   */
  maxInlineBytes?: number;
  /** How many finished jobs (with their results) Redis keeps; older ones are removed. @default all */
  keepCompleted?: number;
  /** How many failed jobs (with their errors) Redis keeps. @default all */
  keepFailed?: number;
}

/** Options of one {@link EditQueue.add}. */
export interface AddEditOptions {
  /**
   * The job's id. Adding an id the queue already holds adds nothing and returns the existing job, so
   * an id derived from the work (a file name, a line of a manifest) makes adding idempotent. Not only
   * digits, no `:`.
   * @default a UUID
   */
  jobId?: string;
  /** The priority; higher goes first, in the queue and in the providers' lanes. @default 0 */
  priority?: number;
}

/** {@link EditQueueOptions} checked, with their defaults. */
export interface EditQueueSettings {
  readonly connection: ResolvedRedisConnection;
  readonly name: string;
  readonly prefix: string;
  readonly maxInlineBytes: number;
  readonly keepCompleted: number | undefined;
  readonly keepFailed: number | undefined;
}

/** Checks the options of `createEditQueue()` before anything connects, naming the field and the fix. */
export function resolveEditQueueSettings(options: EditQueueOptions): EditQueueSettings {
  const where = 'createEditQueue:';
  checkOptionsObject(options, { where, shape: '{ connection, name? }' });
  const connection = resolveRedisConnection(options.connection, `${where} connection`);
  const name = checkName(options.name ?? DEFAULT_QUEUE_NAME, `${where} name`);
  const prefix = checkName(options.prefix ?? DEFAULT_PREFIX, `${where} prefix`);
  const maxInlineBytes = options.maxInlineBytes ?? DEFAULT_MAX_INLINE_BYTES;
  if (!Number.isInteger(maxInlineBytes) || maxInlineBytes < 0) {
    throw new RetouchError({ message: `${where} maxInlineBytes must be a whole number of bytes ≥ 0` });
  }
  for (const key of ['keepCompleted', 'keepFailed'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new RetouchError({
        message: `${where} ${key} must be a whole number of jobs ≥ 0; omit it to keep all`,
      });
    }
  }
  return {
    connection,
    name,
    prefix,
    maxInlineBytes,
    keepCompleted: options.keepCompleted,
    keepFailed: options.keepFailed,
  };
}
