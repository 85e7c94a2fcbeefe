import { randomInt } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createRetouch,
  type EditRequest,
  type EditResult,
  type ProviderAdapter,
  type Retouch,
  type RetouchOptions,
} from '@retouch/core';
import { normalizeEditRequest, type ProviderEditOutput } from '@retouch/core/provider-utils';
import { createTestImage, type RecordedRequest } from '@retouch/simulator';

/**
 * A valid RGBA PNG, each row a shade darker. `noise` fills it with random pixels instead, which do
 * not compress: a picture of a predictable, large size (about width × height × 4 bytes), and new
 * content on every call.
 */
export function pngBytes(options: { width?: number; height?: number; noise?: boolean } = {}): Uint8Array {
  return createTestImage({
    width: options.width ?? 4,
    height: options.height ?? 4,
    color: options.noise
      ? () => [randomInt(256), randomInt(256), randomInt(256), randomInt(256)]
      : ({ y }) => {
          const shade = (y * 16) % 256;
          return [shade, shade, shade, shade];
        },
  });
}

/** A picture larger than the 256 KiB from which `upload: 'auto'` uploads. */
export function largePng(): Uint8Array {
  return pngBytes({ width: 300, height: 300, noise: true });
}

/** A request another host (not Eden) received. */
export interface HostRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** A tiny HTTP server standing for a third-party image host. */
export interface ImageHost {
  url: string;
  requests: HostRequest[];
  close(): Promise<void>;
}

/** Serves `routes` (path → body and content type) and records every request's headers. */
export async function startImageHost(
  routes: Record<string, { body: Uint8Array | string; contentType?: string; status?: number }>,
): Promise<ImageHost> {
  const requests: HostRequest[] = [];
  const server: Server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    const route = routes[new URL(request.url ?? '/', 'http://host').pathname];
    if (!route) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(route.status ?? 200, { 'content-type': route.contentType ?? 'image/png' });
    response.end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Runs one edit the way an application does: through a Retouch client (so the dispatcher prepares,
 * estimates, paces and retries), which is closed afterwards.
 */
export function retouchEdit(
  provider: ProviderAdapter,
  request: EditRequest,
  options: Omit<RetouchOptions, 'providers'> = {},
): Promise<EditResult> {
  return withRetouch(provider, (retouch) => retouch.edit(request), options);
}

/** Runs `use` with a Retouch client serving `provider`, and closes the client afterwards. */
export async function withRetouch<T>(
  provider: ProviderAdapter,
  use: (retouch: Retouch) => Promise<T>,
  options: Omit<RetouchOptions, 'providers'> = {},
): Promise<T> {
  const retouch = createRetouch({ ...options, providers: [provider] });
  try {
    return await use(retouch);
  } finally {
    await retouch.close();
  }
}

/**
 * Runs one edit through the adapter alone, as the dispatcher calls it (`prepare`, then `edit` with the
 * plan, each given `{ http: provider.http, signal }`) but once, without retries or a lane: for what a
 * single attempt sends and throws. The warnings are `prepare`'s and `edit`'s, as a result carries them.
 */
export async function editWith(
  provider: ProviderAdapter,
  request: EditRequest,
  options: { signal?: AbortSignal } = {},
): Promise<ProviderEditOutput> {
  const http = provider.http!;
  const signal = options.signal ?? new AbortController().signal;
  const normalized = await normalizeEditRequest(request);
  const prepared = await provider.prepare!(normalized, { http, signal });
  const output = await provider.edit!({
    request: normalized,
    plan: prepared.plan,
    http,
    signal,
    idempotencyKey: 'test',
  });
  return { ...output, warnings: [...prepared.warnings, ...output.warnings] };
}

/** The requests a simulator received on one route (`'POST /v3/images/edits'`). */
export function requestsTo(simulator: { requests: RecordedRequest[] }, route: string): RecordedRequest[] {
  const [method, path] = route.split(' ');
  return simulator.requests.filter((request) => request.method === method && request.path === path);
}
