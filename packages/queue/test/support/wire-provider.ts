/**
 * A small provider over real HTTP for the queue's tests: a node:http server that edits (a one-shot
 * POST, or a job that runs for a while), enforces an account's sliding-window limit with 429s, and
 * records what came over the wire (arrivals, billable submissions, calls in flight). It answers in the
 * shapes of core's test adapter, which the queue's tests use too (with a price, so budgets reserve),
 * so the 429s, retries and pauses are the ones users get. Workers in child processes import it too.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EditRequest, ProviderAdapter } from '@retouch/core';
import { TINY_PNG_BASE64 } from '../../../core/test/support/fake-provider.ts';
import { createHttpProvider } from '../../../core/test/support/http-provider.ts';

/** An edit for the wire provider, told apart from the others by its prompt. */
export function wireRequest(prompt: string): EditRequest {
  return { model: 'wire:model', prompt, images: ['https://example.com/cat.png'] };
}

/** The 1×1 PNG every edit returns. */
export const TINY_PNG: Uint8Array<ArrayBuffer> = Uint8Array.from(Buffer.from(TINY_PNG_BASE64, 'base64'));

/** How the server behaves. */
export interface WireServerOptions {
  /** How long a one-shot edit takes to answer. @default 0 */
  editDelayMs?: number;
  /** How long a job runs once submitted. @default 50 */
  jobMs?: number;
  /** At most this many accepted requests in any `windowMs` (every route); above it, 429. */
  requestsPerSecond?: number;
  /** @default 1000 */
  windowMs?: number;
  /** Prompts whose edit fails (one-shot: 500 after the work; jobs: the job fails). */
  failingPrompts?: readonly string[];
  /** The cost each edit reports. @default 0.25 */
  costUsd?: number;
}

/** One request the server received. */
export interface WireArrival {
  route: string;
  at: number;
  status: number;
  prompt?: string;
}

/** The running server. */
export interface WireServer {
  readonly url: string;
  readonly arrivals: WireArrival[];
  /** Prompts of billable submissions (one-shot edits and job submissions the server did the work for). */
  readonly billed: string[];
  /** Most requests in flight at once. */
  readonly maxInFlight: number;
  readonly rateLimited: number;
  /** Answers the next requests on `route` with 429 (`retry_after` seconds in the body). */
  rateLimitNext(options: { count: number; retryAfterSeconds: number }): void;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1. */
export async function startWireServer(options: WireServerOptions = {}): Promise<WireServer> {
  const arrivals: WireArrival[] = [];
  const billed: string[] = [];
  const accepted: number[] = [];
  const jobs = new Map<string, { prompt: string; doneAt: number; failed: boolean; cancelled: boolean }>();
  const windowMs = options.windowMs ?? 1_000;
  const costUsd = options.costUsd ?? 0.25;
  let forced: { count: number; retryAfterSeconds: number } | undefined;
  let inFlight = 0;
  let maxInFlight = 0;
  let rateLimited = 0;
  let nextJob = 1;

  const server = createServer((request, response) => {
    void handle(request, response);
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? (JSON.parse(text) as { prompt?: string }) : {};
    const path = request.url ?? '/';
    const route = `${request.method} ${path.replace(/\/jobs\/.+$/, '/jobs/:id')}`;
    const now = Date.now();
    const answer = (status: number, json: unknown): void => {
      arrivals.push({ route, at: now, status, ...(body.prompt ? { prompt: body.prompt } : {}) });
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    };
    while (accepted.length > 0 && now - accepted[0]! >= windowMs) accepted.shift();
    if (forced && forced.count > 0) {
      forced.count--;
      rateLimited++;
      answer(429, { detail: 'Rate limit exceeded', retry_after: forced.retryAfterSeconds });
      return;
    }
    if (options.requestsPerSecond !== undefined && accepted.length >= options.requestsPerSecond) {
      rateLimited++;
      answer(429, { detail: 'Rate limit exceeded', retry_after: (accepted[0]! + windowMs - now) / 1000 });
      return;
    }
    accepted.push(now);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      if (route === 'POST /edit') {
        billed.push(body.prompt ?? '');
        if (options.editDelayMs) await new Promise((resolve) => setTimeout(resolve, options.editDelayMs));
        if (options.failingPrompts?.includes(body.prompt ?? '')) {
          answer(500, { detail: 'the model failed' });
          return;
        }
        answer(200, { images: [{ b64_json: TINY_PNG_BASE64 }], cost: costUsd });
      } else if (route === 'POST /jobs') {
        billed.push(body.prompt ?? '');
        const id = `job-${nextJob++}`;
        jobs.set(id, {
          prompt: body.prompt ?? '',
          doneAt: now + (options.jobMs ?? 50),
          failed: options.failingPrompts?.includes(body.prompt ?? '') ?? false,
          cancelled: false,
        });
        answer(200, { id, status: 'queued' });
      } else if (route === 'GET /jobs/:id' || route === 'DELETE /jobs/:id') {
        const id = path.split('/').pop() ?? '';
        const job = jobs.get(id);
        if (!job) {
          answer(404, { detail: `no job ${id}` });
        } else if (route === 'DELETE /jobs/:id') {
          job.cancelled = true;
          answer(200, { id, status: 'cancelled' });
        } else if (job.cancelled) {
          answer(200, { id, status: 'cancelled' });
        } else if (Date.now() < job.doneAt) {
          answer(200, { id, status: 'processing' });
        } else if (job.failed) {
          answer(200, { id, status: 'failed' });
        } else {
          answer(200, { id, status: 'succeeded', b64_json: TINY_PNG_BASE64, cost: costUsd });
        }
      } else {
        answer(404, { detail: 'Not Found' });
      }
    } finally {
      inFlight--;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    billed,
    get maxInFlight() {
      return maxInFlight;
    },
    get rateLimited() {
      return rateLimited;
    },
    rateLimitNext(next) {
      forced = { ...next };
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The adapter: core's test adapter (one-shot edits, or jobs with `jobs: true`, which it then prefers),
 * with costs estimated at `priceUsd`.
 */
export function createWireProvider(options: {
  baseURL: string;
  jobs?: boolean;
  priceUsd?: number;
  pollIntervalMs?: number;
  /** The fetch requests go through (a recording one, to count them as they leave). */
  fetch?: typeof globalThis.fetch;
}): ProviderAdapter {
  return {
    ...createHttpProvider({
      baseURL: options.baseURL,
      ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
      ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
      ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    }),
    ...(options.jobs ? { prefersJobs: true } : {}),
    async estimateCost() {
      return { usd: options.priceUsd ?? 0.25, source: 'estimated' };
    },
  };
}
