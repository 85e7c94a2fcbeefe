/**
 * `@retouch/queue`: Retouch edits on many workers and machines, through Redis.
 *
 * @packageDocumentation
 */
export {
  type BudgetUsage,
  createRedisBudgetStore,
  type RedisBudgetStore,
  type RedisBudgetStoreOptions,
} from './redis-budget-store.ts';
export type { RedisConnection } from './redis-connection.ts';
export {
  createRedisSharedLimits,
  type RedisSharedLimits,
  type RedisSharedLimitsOptions,
} from './redis-shared-limits.ts';
