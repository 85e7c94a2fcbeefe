/**
 * Eden AI v3 wire format: the host, the paths and the shapes this package sends. The schemas of what
 * it reads are in `edenai-wire.ts`, loaded by {@link loadWire} with the first call that needs them.
 */
import { type LazyModule, lazyModule } from '@retouch/core/provider-utils';

/** Eden AI's production API origin. */
export const EDENAI_BASE_URL = 'https://api.edenai.run';

/** Paths below the base URL. */
export const EDENAI_PATHS = {
  edits: '/v3/images/edits',
  upload: '/v3/upload',
  /** Image-generation and image-edit models available in the caller's region. */
  imageModels: '/v3/images/models',
  /** Every model (LLMs too); read when the image listing is not served. */
  models: '/v3/models',
} as const;

/** One `ImageRef`: exactly one of `file_id` or `image_url` (an https URL or a `data:` URL). */
export type EdenAIImageRef = { image_url: string } | { file_id: string };

/** The response schemas (and zod with them), loaded once, by the first call that reads an answer. */
export const loadWire: LazyModule<typeof import('./edenai-wire.ts')> = lazyModule(
  () => import('./edenai-wire.ts'),
  "Eden AI's response schemas (zod)",
);
