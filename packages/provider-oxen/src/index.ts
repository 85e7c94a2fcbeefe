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
import { createOxen, type OxenProvider } from './oxen-provider.ts';

export type { OxenEditPlan } from './oxen-edit-plan.ts';
export type { OxenEventStreamOptions } from './oxen-events.ts';
export { createOxen, type OxenProvider, type OxenProviderSettings } from './oxen-provider.ts';
export type { OxenMode, OxenProviderOptions } from './oxen-provider-options.ts';

/**
 * The default Oxen provider: `sse` mode, key from `OXEN_API_KEY`. The key is read at first use, so
 * importing this never throws.
 *
 * @example
 * import { createRetouch } from '@retouch/core';
 * import { oxen } from '@retouch/provider-oxen';
 * const retouch = createRetouch({ providers: [oxen] });
 */
export const oxen: OxenProvider = createOxen();
