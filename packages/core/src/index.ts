/**
 * `@retouch/core`: what an application uses. `createRetouch` and its dispatcher, the provider-neutral
 * request and result, typed errors, progress events and the limits, budget and retry options. Writing a
 * provider adapter needs `@retouch/core/provider-utils` too (the HTTP client, image helpers, the
 * adapter spec); the zod schemas of the contract are in `@retouch/core/schemas`. This entry loads zod
 * only when a call first checks a request.
 *
 * @packageDocumentation
 */
export { checkLaneLimits } from './check-lane-limits.ts';
export { type Cost, roundUsd, sumCosts } from './cost.ts';
export type { BudgetOptions } from './dispatcher/budget.ts';
export type { EditCheck } from './dispatcher/check-edit.ts';
export { createRetouch } from './dispatcher/create-retouch.ts';
export type { EditJob } from './dispatcher/edit-job.ts';
export type { EditManyOptions, EditOutcome } from './dispatcher/edit-many.ts';
export type {
  FailedEvent,
  ProgressEvent,
  ProgressEventBase,
  ProgressEventType,
  ProgressListener,
  QueuedEvent,
  RetryingEvent,
  StartedEvent,
  StatusEvent,
  SucceededEvent,
} from './dispatcher/events.ts';
export type { FindLostEditOptions, LostEdit } from './dispatcher/find-lost-edit.ts';
export type { LaneStats } from './dispatcher/lane.ts';
export { createMemorySpendStore, type MemorySpendStoreOptions } from './dispatcher/memory-spend-store.ts';
export type {
  DispatchOptions,
  ResumeOptions,
  Retouch,
  RetouchOptions,
  RetouchStats,
} from './dispatcher/retouch.ts';
export type { RetryOptions } from './dispatcher/retry.ts';
export type { SharedLane, SharedLimits } from './dispatcher/shared-limits.ts';
export {
  applySpendChange,
  CAP_SLACK_USD,
  fitsCap,
  type SpendChange,
  type SpendChangeOutcome,
} from './dispatcher/spend-change.ts';
export type {
  SpendEntry,
  SpendReservation,
  SpendState,
  SpendStore,
  SpendTotals,
} from './dispatcher/spend-store.ts';
export { SpendTally } from './dispatcher/spend-tally.ts';
export type { EditJobSnapshot, EditJobStatus } from './edit-job-snapshot.ts';
export type { EditOptionName, EditOptions, EditRequest, NormalizedEditRequest } from './edit-request.ts';
export {
  ASPECT_RATIO_PATTERN,
  EDIT_OPTION_KEYS,
  MAX_INPUT_IMAGES,
  MAX_OUTPUTS,
  MAX_PROMPT_LENGTH,
  MAX_SEED,
  OUTPUT_FORMATS,
  QUALITIES,
  SIZE_PATTERN,
} from './edit-request-constants.ts';
export type {
  EditResult,
  EditTimings,
  EditWarning,
  EditWarningOption,
  FailedAttempt,
  GeneratedImage,
} from './edit-result.ts';
export * from './errors/index.ts';
export type { ImageInput, ImagePathInput } from './image-input.ts';
export { MODEL_ID, PROVIDER_ID, parseModelId } from './model-id.ts';
export type { OptionProblem } from './option-rules.ts';
export type { LaneLimits, ModelCapabilities, ModelInfo, ModelPricing, ProviderAdapter } from './provider.ts';
export type { SerializedEditResult } from './schemas/edit-result-schema.ts';
export type { RetouchLogFields, RetouchLogger } from './telemetry/retouch-logger.ts';
export { runInTrace } from './telemetry/run-in-trace.ts';
export type { TraceContext, TracedRun } from './telemetry/trace-context.ts';
