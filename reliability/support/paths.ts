import type { EditRequest, ProviderAdapter } from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';
import {
  type EdenAISimulator,
  type OxenSimulator,
  startEdenAISimulator,
  startOxenSimulator,
} from '@retouch/simulator';
import { pngBytes } from './png.ts';
import { secretKey } from './secrets.ts';

/** The six ways an edit reaches a provider. */
export const pathNames = [
  'oxen-sync',
  'oxen-queue',
  'oxen-sse',
  'edenai-json',
  'edenai-multipart',
  'edenai-upload',
] as const;

/** One of {@link pathNames}. */
export type PathName = (typeof pathNames)[number];

/** How each path is driven, in words, for the report. */
export const pathDescriptions: Record<PathName, string> = {
  'oxen-sync': 'Oxen `mode: "sync"`: one blocking `POST /api/ai/images/edit`, input as a data: URL',
  'oxen-queue': 'Oxen `mode: "queue"`: `POST /api/ai/queue`, then status polls',
  'oxen-sse': 'Oxen `mode: "sse"`: `POST /api/ai/queue`, completion from the shared `GET /api/events` stream',
  'edenai-json': 'Eden AI `transport: "json"`, an image URL, `google/gemini-2.5-flash-image` (URL outputs)',
  'edenai-multipart': 'Eden AI `transport: "multipart"`, local bytes, `google/gemini-2.5-flash-image`',
  'edenai-upload':
    'Eden AI `upload: "always"`: `POST /v3/upload`, then a JSON edit by `file_id`, `openai/gpt-image-1-mini` (b64_json outputs)',
};

/** The simulator routes a path uses. */
export interface PathRoutes {
  /** The first request of the edit that faults are injected into (the upload, on the upload path). */
  submission: string;
  /** The billable request. */
  billable: string;
  /** What is read after the submission: status polls, the event stream or the result download. */
  read: string | undefined;
}

/** The routes of each path. */
export const pathRoutes: Record<PathName, PathRoutes> = {
  'oxen-sync': {
    submission: 'POST /api/ai/images/edit',
    billable: 'POST /api/ai/images/edit',
    read: 'GET /files/:id',
  },
  'oxen-queue': {
    submission: 'POST /api/ai/queue',
    billable: 'POST /api/ai/queue',
    read: 'GET /api/ai/queue/:id',
  },
  'oxen-sse': { submission: 'POST /api/ai/queue', billable: 'POST /api/ai/queue', read: 'GET /api/events' },
  'edenai-json': {
    submission: 'POST /v3/images/edits',
    billable: 'POST /v3/images/edits',
    read: 'GET /files/:id',
  },
  'edenai-multipart': {
    submission: 'POST /v3/images/edits',
    billable: 'POST /v3/images/edits',
    read: 'GET /files/:id',
  },
  'edenai-upload': { submission: 'POST /v3/upload', billable: 'POST /v3/images/edits', read: undefined },
};

/** Whether the path runs the edit as a provider-side job. */
export function hasProviderJobs(path: PathName): boolean {
  return path === 'oxen-queue' || path === 'oxen-sse';
}

/** Simulator timing a cell may change. */
export interface PathOptions {
  /** Lifetime of result URLs. */
  resultTtlMs?: number;
  /** How long a queued Oxen job runs. */
  processingMs?: number;
  /** How long a sync Oxen edit or an Eden AI edit takes before it answers. */
  editDelayMs?: number;
}

/** A path set up against its own simulator, with its own key. */
export interface PathSetup {
  readonly path: PathName;
  readonly provider: 'oxen' | 'edenai';
  readonly sim: OxenSimulator | EdenAISimulator;
  readonly adapter: ProviderAdapter;
  readonly routes: PathRoutes;
  /** A valid request for this path with the given deadline. */
  request(timeoutMs: number): EditRequest;
  close(): Promise<void>;
}

/** Starts a simulator for the path and an adapter pointed at it, tuned for short test schedules. */
export async function setUpPath(path: PathName, options: PathOptions = {}): Promise<PathSetup> {
  const routes = pathRoutes[path];
  if (path.startsWith('oxen')) {
    const sim = await startOxenSimulator({
      apiKey: secretKey('oxen'),
      jobSchedule: { queuedMs: 5, processingMs: options.processingMs ?? 30 },
      syncEditDelayMs: options.editDelayMs ?? 0,
      keepAliveIntervalMs: 250,
      ...(options.resultTtlMs !== undefined ? { resultTtlMs: options.resultTtlMs } : {}),
    });
    const mode = path === 'oxen-sync' ? 'sync' : path === 'oxen-queue' ? 'queue' : 'sse';
    const adapter = createOxen({
      apiKey: sim.apiKey,
      baseURL: sim.url,
      mode,
      pollIntervalMs: 25,
      maxPollIntervalMs: 100,
      events: {
        lingerMs: 50,
        reconnectDelayMs: 20,
        maxReconnectDelayMs: 200,
        connectTimeoutMs: 400,
        reconcileIntervalMs: 500,
        idleTimeoutMs: 1_500,
      },
    });
    return {
      path,
      provider: 'oxen',
      sim,
      adapter,
      routes,
      request: (timeoutMs) => ({
        model: 'oxen:qwen-image-edit',
        prompt: 'make the sky purple',
        images: [path === 'oxen-sync' ? pngBytes() : 'https://example.com/cat.png'],
        timeoutMs,
      }),
      close: async () => {
        await adapter.close?.();
        await sim.close();
      },
    };
  }
  const sim = await startEdenAISimulator({
    apiKey: secretKey('edenai'),
    rateLimit: false,
    editDelayMs: options.editDelayMs ?? 0,
    ...(options.resultTtlMs !== undefined ? { resultTtlMs: options.resultTtlMs } : {}),
  });
  const adapter = createEdenAI({
    apiKey: sim.apiKey,
    baseURL: sim.url,
    transport: path === 'edenai-multipart' ? 'multipart' : 'json',
    upload: path === 'edenai-upload' ? 'always' : 'never',
  });
  return {
    path,
    provider: 'edenai',
    sim,
    adapter,
    routes,
    request: (timeoutMs) => ({
      model:
        path === 'edenai-upload' ? 'edenai:openai/gpt-image-1-mini' : 'edenai:google/gemini-2.5-flash-image',
      prompt: 'make the sky purple',
      images: [path === 'edenai-json' ? 'https://example.com/cat.png' : pngBytes()],
      timeoutMs,
    }),
    close: async () => {
      await adapter.close?.();
      await sim.close();
    },
  };
}
