import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request a helper server received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/** A small `node:http` server of a test: a hostile provider, or a host that is not the provider. */
export interface HelperServer {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** What a handler gets: the request, the response and the whole request body. */
export type Handler = (
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
) => void | Promise<void>;

/** Starts a server on 127.0.0.1 that records every request and hands it to `handler`. */
export async function startServer(handler: Handler): Promise<HelperServer> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer(async (request, response) => {
    requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers });
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    try {
      await handler(request, response, Buffer.concat(chunks));
    } catch {
      response.destroy();
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A server in front of a simulator: it forwards every request, except those `override` answers itself,
 * and lets `rewrite` change JSON answers on the way back. It stands for a provider that turned hostile
 * on a few routes while behaving on the others.
 */
export async function startProxy(options: {
  target: string;
  override?: (request: IncomingMessage, response: ServerResponse, body: Buffer) => boolean | Promise<boolean>;
  rewrite?: (request: IncomingMessage, json: unknown) => unknown;
}): Promise<HelperServer> {
  return startServer(async (request, response, body) => {
    if (await options.override?.(request, response, body)) return;
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined || ['host', 'content-length', 'connection'].includes(name)) continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const controller = new AbortController();
    response.on('close', () => controller.abort());
    const upstream = await fetch(`${options.target}${request.url}`, {
      method: request.method ?? 'GET',
      headers,
      ...(body.length > 0 ? { body: new Uint8Array(body) } : {}),
      redirect: 'manual',
      signal: controller.signal,
    });
    const type = upstream.headers.get('content-type') ?? '';
    if (options.rewrite && type.includes('application/json')) {
      const text = await upstream.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        response.writeHead(upstream.status, { 'content-type': type }).end(text);
        return;
      }
      const changed = JSON.stringify(options.rewrite(request, json));
      response.writeHead(upstream.status, { 'content-type': 'application/json' }).end(changed);
      return;
    }
    const passed: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name)) {
        passed[name] = value;
      }
    });
    response.writeHead(upstream.status, passed);
    if (!upstream.body) {
      response.end();
      return;
    }
    try {
      for await (const chunk of upstream.body) response.write(chunk);
      response.end();
    } catch {
      response.destroy();
    }
  });
}
