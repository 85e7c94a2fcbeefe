/**
 * A provider over real HTTP for dispatcher tests: a node:http server that answers from a script per
 * route and records what came over the wire, and an adapter built on core's HTTP client, so the
 * failure classification (429, 503, refused, reset, timeout) is the one users get.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GenerationFailedError, type ProviderAdapter } from '@retouch/core';
import {
  createGeneratedImage,
  createHttpClient,
  type ProviderJobStatus,
  secondsToMs,
} from '@retouch/core/provider-utils';
import { TINY_PNG_BASE64 } from './fake-provider.ts';

/** The routes of the scripted server. */
export type Route = 'POST /edit' | 'POST /jobs' | 'GET /jobs' | 'DELETE /jobs';

/** One scripted answer: a status with body and headers, a connection reset, or no answer at all. */
export type ScriptedResponse =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | 'reset'
  | 'hang';

/** A request the server received. */
export interface ReceivedRequest {
  route: Route;
  path: string;
  at: number;
  body: unknown;
  authorization: string | undefined;
}

/** The scripted server. */
export interface ScriptedServer {
  readonly url: string;
  readonly port: number;
  readonly received: ReceivedRequest[];
  /** Billable requests the provider did the work for (answered 2xx, 5xx other than 503, reset or hung). */
  readonly billed: ReceivedRequest[];
  script(route: Route, ...responses: ScriptedResponse[]): void;
  receivedOn(route: Route): ReceivedRequest[];
  close(): Promise<void>;
}

/** Starts the scripted server on 127.0.0.1 (on `port` if given). */
export async function startScriptedServer(options: { port?: number } = {}): Promise<ScriptedServer> {
  const received: ReceivedRequest[] = [];
  const billed: ReceivedRequest[] = [];
  const scripts = new Map<Route, ScriptedResponse[]>();
  const jobs = new Map<string, { polls: number }>();
  let nextJob = 1;

  const server: Server = createServer((request, response) => {
    void handle(request, response);
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = request.url ?? '/';
    const route = routeOf(request.method ?? 'GET', path);
    if (!route) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
      return;
    }
    const entry: ReceivedRequest = {
      route,
      path,
      at: Date.now(),
      body: text ? JSON.parse(text) : undefined,
      authorization: request.headers.authorization,
    };
    received.push(entry);
    const scripted = scripts.get(route)?.shift();
    const billable = route === 'POST /edit' || route === 'POST /jobs';
    const notAccepted = typeof scripted === 'object' && (scripted.status === 429 || scripted.status === 503);
    if (billable && !notAccepted) billed.push(entry);
    if (scripted === 'hang') return;
    if (scripted === 'reset') {
      request.socket.destroy();
      return;
    }
    const answer = scripted ?? defaultAnswer(route, path);
    response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  }

  function defaultAnswer(
    route: Route,
    path: string,
  ): { status: number; body?: unknown; headers?: Record<string, string> } {
    if (route === 'POST /edit')
      return { status: 200, body: { images: [{ b64_json: TINY_PNG_BASE64 }], cost: 0.02 } };
    if (route === 'POST /jobs') {
      const id = `job-${nextJob++}`;
      jobs.set(id, { polls: 0 });
      return { status: 200, body: { id, status: 'queued' } };
    }
    const id = path.split('/').pop() ?? '';
    const job = jobs.get(id);
    if (!job) return { status: 404, body: { error: { type: 'resource_not_found', detail: id } } };
    if (route === 'DELETE /jobs') return { status: 200, body: { status: 'success' } };
    job.polls++;
    return job.polls < 2
      ? { status: 200, body: { id, status: 'processing' } }
      : { status: 200, body: { id, status: 'succeeded', b64_json: TINY_PNG_BASE64, cost: 0.02 } };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    billed,
    script(route, ...responses) {
      scripts.set(route, [...(scripts.get(route) ?? []), ...responses]);
    },
    receivedOn(route) {
      return received.filter((entry) => entry.route === route);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function routeOf(method: string, path: string): Route | undefined {
  if (method === 'POST' && path === '/edit') return 'POST /edit';
  if (method === 'POST' && path === '/jobs') return 'POST /jobs';
  if (method === 'GET' && path.startsWith('/jobs/')) return 'GET /jobs';
  if (method === 'DELETE' && path.startsWith('/jobs/')) return 'DELETE /jobs';
  return undefined;
}

/** A port nothing listens on (it was free a moment ago), for connection-refused tests. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An adapter speaking to the scripted server through core's HTTP client. */
export function createHttpProvider(options: {
  baseURL: string;
  id?: string;
  apiKey?: string;
  /** Per-attempt timeout of the HTTP client. */
  timeoutMs?: number;
  jobs?: boolean;
  pollIntervalMs?: number;
  /** The fetch requests go through (a recording one, to count them as they leave). */
  fetch?: typeof globalThis.fetch;
}): ProviderAdapter {
  const id = options.id ?? 'wire';
  const http = createHttpClient({
    provider: id,
    baseURL: options.baseURL,
    apiKey: options.apiKey ?? 'wire-secret-key-123',
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    // Eden AI's form: the delay is a `retry_after` number of seconds in the JSON body.
    parseErrorBody: (_status, body) => {
      const retryAfter = (body as { retry_after?: unknown } | undefined)?.retry_after;
      const retryAfterMs = secondsToMs(retryAfter);
      return retryAfterMs === undefined ? undefined : { retryAfterMs, message: 'Rate limit exceeded' };
    },
  });
  const adapter: ProviderAdapter = {
    id,
    specificationVersion: 2,
    http,
    polling: { intervalMs: options.pollIntervalMs ?? 20 },
    async edit(call) {
      const { data } = await call.http.request<{ images: { b64_json: string }[]; cost: number }>({
        method: 'POST',
        path: '/edit',
        json: { prompt: call.request.prompt, idempotency_key: call.idempotencyKey },
        signal: call.signal,
      });
      return {
        images: data.images.map((image) => createGeneratedImage({ provider: id, base64: image.b64_json })),
        cost: { usd: data.cost, source: 'reported' },
        warnings: [],
        raw: data,
      };
    },
  };
  if (options.jobs) {
    adapter.submit = async (call) => {
      const { data } = await call.http.request<{ id: string }>({
        method: 'POST',
        path: '/jobs',
        json: { prompt: call.request.prompt },
        signal: call.signal,
      });
      return { jobId: data.id, warnings: [] };
    };
    adapter.status = async (jobId, { http: paced, signal }) => {
      const { data } = await paced.request<{ id: string; status: string; b64_json?: string; cost?: number }>({
        method: 'GET',
        path: `/jobs/${jobId}`,
        ...(signal ? { signal } : {}),
      });
      if (data.status === 'succeeded') {
        return {
          state: 'succeeded',
          output: {
            images: [createGeneratedImage({ provider: id, base64: data.b64_json! })],
            ...(data.cost !== undefined ? { cost: { usd: data.cost, source: 'reported' } } : {}),
            warnings: [],
            raw: data,
            jobId,
          },
        } satisfies ProviderJobStatus;
      }
      if (data.status === 'failed') {
        return {
          state: 'failed',
          error: new GenerationFailedError({ message: `${id}: job failed`, provider: id, jobId }),
        };
      }
      return { state: data.status === 'queued' ? 'queued' : 'running', raw: data };
    };
    adapter.cancel = async (jobId, { http: paced, signal }) => {
      await paced.request({ method: 'DELETE', path: `/jobs/${jobId}`, ...(signal ? { signal } : {}) });
    };
  }
  return adapter;
}
