/*
 * What the adapter knows of Oxen's wire format without zod: the host and the paths it calls, the
 * types of the parsed bodies, the completion event's name and Oxen's times. The schemas themselves
 * are in `oxen-wire.ts`, which the first call that needs them loads (`loadOxenWire`), so importing
 * the provider does not load zod.
 */
import { type LazyModule, lazyModule } from '@retouch/core/provider-utils';

/** Oxen's production API origin. */
export const OXEN_BASE_URL = 'https://hub.oxen.ai';

/** Paths below the base URL; a path that names a generation or a model takes the id and encodes it. */
export const OXEN_PATHS = {
  /** Sync mode's edit, answered when the model is done (one image per request). */
  imageEdit: '/api/ai/images/edit',
  /** Enqueues generations (`POST`), or lists the active ones (`GET`). */
  queue: '/api/ai/queue',
  /** One generation on the queue: its status (`GET`) or its cancellation (`DELETE`). */
  queuedGeneration: (generationId: string): string => `/api/ai/queue/${encodeURIComponent(generationId)}`,
  /** The generation history (`GET`): every generation, in pages, with its billed cost. */
  generations: '/api/ai/generations',
  /** A generation's record, with its billed cost. */
  generation: (generationId: string): string => `/api/ai/generations/${encodeURIComponent(generationId)}`,
  /** The model catalogue. */
  models: '/api/ai/models',
  /** One model, with its parameter schema. */
  model: (modelId: string): string => `/api/ai/models/${encodeURIComponent(modelId)}`,
  /** The account's Server-Sent Events stream, which announces finished generations. */
  events: '/api/events',
} as const;

export type {
  OxenCompletedEvent,
  OxenEditResponse,
  OxenEnqueueResponse,
  OxenGenerationStatus,
  OxenJobStatus,
  OxenListedGeneration,
  OxenModel,
  OxenParameter,
  OxenPricing,
  ParsedOxenOptions,
} from './oxen-wire.ts';

/** The schemas of Oxen's wire format and the checks that run them. */
export type OxenWire = typeof import('./oxen-wire.ts');

/** Loads `oxen-wire.ts`, and zod with it, once: for the first call that needs a schema. */
export const loadOxenWire: LazyModule<OxenWire> = lazyModule(
  () => import('./oxen-wire.ts'),
  "Oxen's wire schemas (zod)",
);

/**
 * An Oxen time (whole Unix seconds) as epoch milliseconds: the middle of that second, which halves
 * the worst error against the moment it stands for (the dispatcher keeps it between the submission
 * and the moment the job was seen running).
 */
export function oxenTimeToEpochMs(seconds: number | null | undefined): number | undefined {
  return typeof seconds === 'number' ? seconds * 1000 + 500 : undefined;
}

/** The event name that reports a finished generation; every other event on the stream is unrelated. */
export const OXEN_COMPLETED_EVENT = 'media_generation_completed';
