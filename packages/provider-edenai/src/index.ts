/**
 * `@retouch/provider-edenai`: Eden AI v3 image edits for Retouch, over JSON or streamed multipart,
 * with cached uploads and the cost Eden reports for every call.
 *
 * Only the factory, the default instance and their types are exported: the wire schemas, the model
 * family rules and the upload cache are implementation details that follow Eden's API as it changes.
 *
 * @packageDocumentation
 */

export { type EdenAIBuiltInCatalogue, edenaiBuiltInCatalogue } from './edenai-built-in-catalogue.ts';
export type { EdenAIEditOptions, EdenAITransport, EdenAIUploadMode } from './edenai-edit-options.ts';
export { createEdenAI, type EdenAIProvider, type EdenAIProviderSettings, edenai } from './edenai-provider.ts';
