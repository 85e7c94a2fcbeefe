/*
 * What the adapter knows of Oxen's wire format without zod: the types of the parsed bodies, the
 * completion event's name and Oxen's times. The schemas themselves are in `oxen-wire.ts`, which the
 * first call that needs them loads (`loadOxenWire`), so importing the provider does not load zod.
 */
import { type LazyModule, lazyModule } from '@retouch/core/provider-utils';

export type {
  OxenCompletedEvent,
  OxenEditResponse,
  OxenEnqueueResponse,
  OxenGenerationStatus,
  OxenJobStatus,
  OxenModel,
  OxenParameter,
  OxenPricing,
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
