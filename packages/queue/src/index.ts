/**
 * `@retouch/queue`: Retouch edits on many workers and machines, through BullMQ and Redis. One account
 * rate limit and one budget hold across every worker, and no edit is paid for twice across crashes.
 *
 * - {@link createEditQueue} adds edits and follows them;
 * - {@link createEditWorker} runs them through a Retouch client;
 * - {@link createRedisSharedLimits} and {@link createRedisSpendStore} are the shared limits and budget
 *   ledger the workers use, for a `createRetouch()` of your own.
 *
 * BullMQ's and ioredis's types are not part of this API: they are how it is built, not what it offers.
 *
 * @example
 * import { createEditQueue, createEditWorker } from '@retouch/queue';
 *
 * const worker = createEditWorker({ connection: 'redis://127.0.0.1:6379', providers: [oxen] });
 * const queue = createEditQueue({ connection: 'redis://127.0.0.1:6379' });
 * const edit = await queue.add({ model: 'oxen:qwen-image-edit', prompt: 'Add a hat', images: ['https://example.com/cat.png'] });
 * console.log(await edit.result());
 *
 * @packageDocumentation
 */
export {
  createEditQueue,
  type EditQueue,
  type EditQueueCounts,
} from './edit-queue.ts';
export type { EditQueueActivity, HeldJob } from './edit-queue-activity.ts';
export type { EditQueueEvent } from './edit-queue-event.ts';
export type { AddEditOptions, EditQueueOptions } from './edit-queue-options.ts';
export { createEditWorker, type EditWorker, type EditWorkerStats } from './edit-worker.ts';
export {
  DEFAULT_OUTPUT_DIRECTORY,
  type EditWorkerOptions,
  type EditWorkerRetouchOptions,
} from './edit-worker-options.ts';
export { PossiblyBilledError, type PossiblyBilledErrorOptions } from './errors/possibly-billed-error.ts';
export { QueuedEditError, type QueuedEditErrorOptions } from './errors/queued-edit-error.ts';
export {
  directoryOutput,
  type OutputImage,
  type OutputLocation,
  type OutputSink,
} from './output-sink.ts';
export type { QueuedEditData, QueuedEditRequest, QueuedImage } from './queued-edit.ts';
export type { QueuedEditImage, QueuedEditProgress, QueuedEditResult } from './queued-edit-result.ts';
export type { QueuedEdit, QueuedEditSend, QueuedEditStatus } from './queued-edit-status.ts';
export type { RedisConnection } from './redis-connection.ts';
export { DEFAULT_QUEUE_NAME } from './redis-keys.ts';
export {
  createRedisSharedLimits,
  type RedisSharedLimits,
  type RedisSharedLimitsOptions,
} from './redis-shared-limits.ts';
export {
  createRedisSpendStore,
  type RedisSpendStore,
  type RedisSpendStoreOptions,
  type RedisSpendUsage,
} from './redis-spend-store.ts';
