/**
 * `@retouch/provider-oxen`: Oxen.ai image editing for Retouch, in three modes (a blocking request,
 * the async queue with polling, and the async queue with one shared Server-Sent Events stream)
 * behind one `EditRequest`.
 *
 * The HTTP helpers, the request mapping and the event stream are internal: the adapter spec of
 * `@retouch/core` is the whole contract, so they can change without a breaking release.
 *
 * @packageDocumentation
 */

export type { OxenJobStatus } from './oxen-api.ts';
export type {
  OxenBilledGeneration,
  OxenBilledGenerations,
  OxenBilledGenerationsOptions,
} from './oxen-billed-generations.ts';
export { type OxenBuiltInCatalogue, oxenBuiltInCatalogue } from './oxen-built-in-catalogue.ts';
export type { OxenMode, OxenProviderOptions } from './oxen-edit-options.ts';
export type { OxenEditPlan } from './oxen-edit-plan.ts';
export type { OxenEventStreamOptions } from './oxen-events.ts';
export { RECORDS_LISTING_DELAY_MS as OXEN_RECORDS_LISTING_DELAY_MS } from './oxen-lost-edit.ts';
export { createOxen, type OxenProvider, type OxenProviderSettings, oxen } from './oxen-provider.ts';
