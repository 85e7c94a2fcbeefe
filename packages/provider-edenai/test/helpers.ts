import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';
import {
  type EditRequest,
  normalizeEditRequest,
  type ProviderAdapter,
  type ProviderEditOutput,
} from '@retouch/core';
import type { RecordedRequest } from '@retouch/simulator';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, checksum]);
}

/**
 * A valid RGBA PNG. `noise` fills it with random pixels stored uncompressed, which makes a picture
 * of a predictable, large size (about width × height × 4 bytes).
 */
export function pngBytes(options: { width?: number; height?: number; noise?: boolean } = {}): Uint8Array {
  const width = options.width ?? 4;
  const height = options.height ?? 4;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const pixels = options.noise ? randomBytes(width * 4) : Buffer.alloc(width * 4, y * 16);
    rows.push(Buffer.concat([Buffer.from([0]), pixels]));
  }
  const data = deflateSync(Buffer.concat(rows), { level: options.noise ? 0 : 6 });
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', data),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
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

/** Runs one edit through an adapter as the dispatcher would. */
export async function editWith(
  provider: ProviderAdapter,
  request: EditRequest,
  options: { signal?: AbortSignal } = {},
): Promise<ProviderEditOutput> {
  return provider.edit({
    request: await normalizeEditRequest(request),
    signal: options.signal ?? new AbortController().signal,
    idempotencyKey: 'test',
  });
}

/** The requests a simulator received on one route (`'POST /v3/images/edits'`). */
export function requestsTo(simulator: { requests: RecordedRequest[] }, route: string): RecordedRequest[] {
  const [method, path] = route.split(' ');
  return simulator.requests.filter((request) => request.method === method && request.path === path);
}
