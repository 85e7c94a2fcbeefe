/**
 * `@retouch/core/schemas`: the zod schemas of Retouch's contract, for validating requests, results and
 * job snapshots in your own code, and {@link checkEditOption} for tools that read edit options apart
 * from a request. Importing this entry loads zod; `@retouch/core` itself loads it with the first call
 * that checks a request. They are `zod/mini` schemas (zod's small build, which keeps an app's bundle
 * small): `parse` and `safeParse` work as usual and they nest in zod's own objects, and they are
 * wrapped with functions rather than methods, e.g. `z.optional(editRequestSchema)`.
 *
 * @example
 * import { editRequestSchema } from '@retouch/core/schemas';
 * const request = editRequestSchema.parse(JSON.parse(body));
 *
 * @packageDocumentation
 */
export { costSchema } from './schemas/cost-schema.ts';
export { editJobSnapshotSchema } from './schemas/edit-job-schema.ts';
export {
  checkEditOption,
  type EditOptionCheck,
  editRequestSchema,
  toRequestIssues,
} from './schemas/edit-request-schema.ts';
export { editResultSchema, editWarningSchema } from './schemas/edit-result-schema.ts';
export { laneLimitsSchema } from './schemas/lane-limits-schema.ts';
