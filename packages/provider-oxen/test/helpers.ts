import { createServer, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createRetouch, type EditRequest, type Retouch, type RetouchOptions } from '@retouch/core';
import {
  normalizeEditRequest,
  type ProviderCall,
  type ProviderContext,
  type ProviderJobStatus,
} from '@retouch/core/provider-utils';
import {
  createTestImage,
  type OxenSimulator,
  type OxenSimulatorOptions,
  type RecordedRequest,
  startOxenSimulator,
} from '@retouch/simulator';
import { afterEach } from 'vitest';
import { until as untilWithin } from '../../../scripts/lib/until.ts';
import { maxInWindow } from '../../core/test/support/request-windows.ts';
import { createOxen, type OxenEditPlan, type OxenProvider, type OxenProviderSettings } from '../src/index.ts';

/** The edit models of the documentation (and of the built-in table), each with one input image URL it takes. */
export const tableModels = [
  'qwen-image-edit',
  'qwen-image-edit-plus',
  'qwen-image-edit-2511',
  'gpt-image-2',
  'nano-banana-2',
  'xai-grok-imagine-image-edit',
  'flux-kontext-dev',
] as const;

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  const pending = cleanups.splice(0).reverse();
  for (const cleanup of pending) await cleanup();
});

/** Registers something to release after the test. */
export function onCleanup(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

/** A simulator with fast jobs and frequent keep-alives, closed after the test. */
export async function simulator(options: OxenSimulatorOptions = {}): Promise<OxenSimulator> {
  const sim = await startOxenSimulator({
    jobSchedule: { queuedMs: 5, processingMs: 20 },
    keepAliveIntervalMs: 1_000,
    ...options,
  });
  onCleanup(() => sim.close());
  return sim;
}

/** An adapter pointed at the simulator with short intervals, closed after the test. */
export function provider(sim: OxenSimulator, settings: OxenProviderSettings = {}): OxenProvider {
  const oxen = createOxen({
    apiKey: sim.apiKey,
    baseURL: sim.url,
    pollIntervalMs: 20,
    maxPollIntervalMs: 100,
    ...settings,
    events: { lingerMs: 50, reconnectDelayMs: 20, maxReconnectDelayMs: 200, ...settings.events },
  });
  onCleanup(() => oxen.close());
  return oxen;
}

/** A client driving the adapters, closed after the test. */
export function client(
  providers: OxenProvider | OxenProvider[],
  options: Omit<RetouchOptions, 'providers'> = {},
): Retouch {
  const retouch = createRetouch({
    providers: Array.isArray(providers) ? providers : [providers],
    ...options,
  });
  onCleanup(() => retouch.close());
  return retouch;
}

/** What a direct adapter method is given: the adapter's own client, unpaced, and a signal. */
export function context(oxen: OxenProvider, signal?: AbortSignal): ProviderContext {
  return { http: oxen.http, signal: signal ?? new AbortController().signal };
}

/** A prepared call, as the dispatcher hands it to `edit` or `submit`. */
export async function call(
  oxen: OxenProvider,
  request: EditRequest,
  signal?: AbortSignal,
): Promise<ProviderCall<OxenEditPlan>> {
  const { signal: _signal, timeoutMs: _timeoutMs, ...normalized } = await normalizeEditRequest(request);
  const given = context(oxen, signal);
  const { plan } = await oxen.prepare(normalized, given);
  return { ...given, request: normalized, plan, idempotencyKey: crypto.randomUUID() };
}

/** Reads a job's status until it is final: the test's own wait, so adapter tests need no client. */
export async function settled(oxen: OxenProvider, jobId: string): Promise<ProviderJobStatus> {
  for (;;) {
    const status = await oxen.status(jobId, context(oxen));
    if (status.state !== 'queued' && status.state !== 'running') return status;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Requests the simulator received on one route, e.g. `POST /api/ai/queue`. */
export function received(sim: OxenSimulator, route: string): RecordedRequest[] {
  return sim.requests.filter((request) => request.route === route);
}

/** The JSON bodies sent to one route. */
export function bodies(sim: OxenSimulator, route: string): unknown[] {
  return received(sim, route).map((request) => request.body);
}

/** The most requests of any kind that arrived at the simulator within one second of each other. */
export function busiestSecond(sim: OxenSimulator): number {
  return maxInWindow(
    sim.requests.map((request) => request.at),
    1_000,
  );
}

/** A small valid PNG: 2×2, a light row over a dark one. */
export function pngBytes(): Uint8Array {
  return createTestImage({
    width: 2,
    height: 2,
    color: ({ y }) => (y === 0 ? [200, 200, 200, 200] : [100, 100, 100, 100]),
  });
}

/** What the proxy does with one `GET /api/events` connection. */
export type StreamScript =
  /** Relay Oxen's stream. */
  | 'relay'
  /** Send headers, then an endless line without a newline. */
  | 'hostile-line'
  /** Send headers, then nothing at all (not even keep-alives). */
  | 'silent'
  /** Refuse the connection with a 503. */
  | 'unavailable';

/** A man in the middle between the adapter and the simulator, for network conditions the simulator lacks. */
export interface OxenProxy {
  url: string;
  /** Scripts for the next event-stream connections, in order; later ones relay. */
  streams: StreamScript[];
  /** Holds the simulator's answer to each enqueue this long before relaying it. */
  enqueueDelayMs: number;
  /** Writes raw text into every relayed event stream open now. */
  inject(text: string): void;
  /** Event-stream connections the adapter made, by script. */
  connections: StreamScript[];
}

/** Starts a proxy in front of the simulator, closed after the test. */
export async function proxy(sim: OxenSimulator): Promise<OxenProxy> {
  const relayed = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const state: OxenProxy = {
    url: '',
    streams: [],
    enqueueDelayMs: 0,
    connections: [],
    inject(text) {
      for (const response of relayed) response.write(text);
    },
  };
  const target = new URL(sim.url);
  const server = createServer((incoming, outgoing) => {
    const isEvents = incoming.method === 'GET' && incoming.url === '/api/events';
    const script = isEvents ? (state.streams.shift() ?? 'relay') : undefined;
    if (script) state.connections.push(script);
    if (script === 'unavailable') {
      outgoing.writeHead(503, { 'content-type': 'application/json' });
      outgoing.end('{"error":{"type":"unknown_error","title":"Service unavailable","detail":"try later"}}');
      return;
    }
    if (script === 'hostile-line' || script === 'silent') {
      outgoing.writeHead(200, { 'content-type': 'text/event-stream' });
      outgoing.flushHeaders();
      if (script === 'hostile-line') {
        outgoing.write('event: media_generation_completed\ndata: ');
        const filler = 'x'.repeat(16 * 1024);
        const timer = setInterval(() => outgoing.write(filler), 1);
        outgoing.on('close', () => clearInterval(timer));
      }
      return;
    }
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        const relay = (): void => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          if (isEvents) {
            outgoing.flushHeaders();
            relayed.add(outgoing);
            outgoing.on('close', () => {
              relayed.delete(outgoing);
              answer.destroy();
            });
          }
          answer.pipe(outgoing);
        };
        const delay =
          incoming.method === 'POST' && incoming.url === '/api/ai/queue' ? state.enqueueDelayMs : 0;
        if (delay > 0) setTimeout(relay, delay);
        else relay();
      },
    );
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  onCleanup(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return state;
}

/** Waits until `condition` holds, for at most `timeoutMs` (default 5000 ms). */
export function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  return untilWithin(condition, timeoutMs);
}
