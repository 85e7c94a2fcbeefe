import { resolve } from 'node:path';
import {
  type EditJobSnapshot,
  type EditRequest,
  InvalidRequestError,
  type TraceContext,
} from '@retouch/core';
import { normalizeEditRequest, sniffImageMediaType } from '@retouch/core/provider-utils';
import { editJobSnapshotSchema } from '@retouch/core/schemas';
import * as z from 'zod';

/**
 * An input image as it travels through Redis: a URL (`https://`, or a `data:` URL for bytes), a
 * `{ path }` every worker can read, or a `{ fileId, provider }` uploaded beforehand.
 */
export type QueuedImage =
  | string
  | {
      /** An absolute path every worker can read. */
      path: string;
    }
  | {
      /** The provider's file id. */
      fileId: string;
      /** The provider holding the file. */
      provider: string;
    };

/** An {@link EditRequest} in the form it is stored in a queued job: JSON only, no signal. */
export type QueuedEditRequest = Omit<EditRequest, 'images' | 'mask' | 'signal'> & {
  /** The input images. */
  images: QueuedImage[];
  /** The mask, when there is one. */
  mask?: QueuedImage;
};

/**
 * The data of a queued job, versioned: the request, and what the workers learnt while running it.
 * `sentAt` is written before the billable request first leaves (from then on the edit may be billed);
 * `snapshot` once the provider accepted it as a job (a stalled job is resumed from it, never sent again).
 */
export interface QueuedEditData {
  /** Always `retouch.queued-edit`. */
  type: 'retouch.queued-edit';
  /** The format's version. */
  version: 1;
  /** The edit. */
  request: QueuedEditRequest;
  /** The priority in the providers' lanes; higher goes first. */
  priority: number;
  /** When a worker first sent the billable request, and which worker. */
  sent?: {
    /** When, in epoch milliseconds. */
    at: number;
    /** The worker's id. */
    worker: string;
  };
  /** The provider job's snapshot (`job.toJSON()`), once the provider accepted the edit. */
  snapshot?: EditJobSnapshot;
  /**
   * Where the edit sits in an OpenTelemetry trace: the span that queued it (the worker's span is its
   * child) and the span of the worker that first ran it (a worker resuming it links to that one).
   */
  trace?: {
    /** The span that added the job. */
    producer?: TraceContext;
    /** The span of the worker that first ran the job. */
    worker?: TraceContext;
  };
}

/** Zod schema of {@link QueuedEditData}; the request itself is checked again by the worker. */
export const queuedEditDataSchema: z.ZodType<QueuedEditData> = z.object({
  type: z.literal('retouch.queued-edit'),
  version: z.literal(1),
  request: z.custom<QueuedEditRequest>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    'expected an edit request object',
  ),
  priority: z.number(),
  sent: z.object({ at: z.number(), worker: z.string() }).optional(),
  snapshot: z.optional(editJobSnapshotSchema),
  trace: z
    .object({
      producer: z.object({ traceparent: z.string(), tracestate: z.string().optional() }).optional(),
      worker: z.object({ traceparent: z.string(), tracestate: z.string().optional() }).optional(),
    })
    .optional(),
});

/** The most bytes of images a queued request may carry inline by default: they travel through Redis. */
export const DEFAULT_MAX_INLINE_BYTES = 5 * 1024 * 1024;

/**
 * Checks a request as `retouch.edit()` would (every problem named with its field and fix, before any
 * network call) and turns it into its queued form: bytes and Blobs become `data:` URLs, relative paths
 * become absolute (workers run elsewhere). A signal cannot travel through Redis and is refused.
 */
export async function toQueuedRequest(
  request: EditRequest,
  options: { maxInlineBytes: number },
): Promise<QueuedEditRequest> {
  if (
    typeof request === 'object' &&
    request !== null &&
    'signal' in request &&
    request.signal !== undefined
  ) {
    throw new InvalidRequestError({
      issues: [
        {
          path: 'signal',
          message:
            'an AbortSignal cannot travel through a queue to another process; remove it, and set timeoutMs for a deadline',
        },
      ],
    });
  }
  await normalizeEditRequest(request);
  const { images, mask, signal: _signal, ...rest } = request;
  let inlineBytes = 0;
  const convert = async (image: unknown, path: string): Promise<QueuedImage> => {
    if (typeof image === 'string') {
      if (/^data:/i.test(image.trim())) inlineBytes += Math.floor((image.length * 3) / 4);
      return image;
    }
    if (image instanceof Uint8Array || image instanceof ArrayBuffer || image instanceof Blob) {
      const bytes =
        image instanceof Blob
          ? new Uint8Array(await image.arrayBuffer())
          : image instanceof Uint8Array
            ? image
            : new Uint8Array(image);
      inlineBytes += bytes.byteLength;
      // Already checked to be an image by normalizeEditRequest above.
      const mediaType = sniffImageMediaType(bytes) ?? 'image/png';
      return `data:${mediaType};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
    }
    const record = image as Record<string, unknown>;
    if ('path' in record) return { path: resolve(String(record.path)) };
    if ('fileId' in record) return { fileId: String(record.fileId), provider: String(record.provider) };
    throw new InvalidRequestError({ issues: [{ path, message: 'unsupported image input' }] });
  };
  const queued: QueuedEditRequest = {
    ...rest,
    images: await Promise.all(images.map((image, index) => convert(image, `images.${index}`))),
    ...(mask !== undefined ? { mask: await convert(mask, 'mask') } : {}),
  };
  if (inlineBytes > options.maxInlineBytes) {
    throw new InvalidRequestError({
      issues: [
        {
          path: 'images',
          message: `the request carries ${formatBytes(inlineBytes)} of image bytes, which would travel through Redis with the job (at most ${formatBytes(options.maxInlineBytes)}); pass { path } to a file every worker can read, or an https:// URL, or raise maxInlineBytes`,
        },
      ],
    });
  }
  return queued;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
