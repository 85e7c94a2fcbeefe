import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodePng } from '../src/shared/png.ts';

/** A small PNG: a red-to-blue gradient, so an inverted copy is easy to recognize. */
export function samplePng(options: { width?: number; height?: number } = {}): Buffer<ArrayBuffer> {
  const width = options.width ?? 8;
  const height = options.height ?? 6;
  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 4;
      pixels[offset] = Math.round((255 * x) / Math.max(1, width - 1));
      pixels[offset + 1] = 40;
      pixels[offset + 2] = Math.round((255 * y) / Math.max(1, height - 1));
      pixels[offset + 3] = 255;
    }
  }
  return encodePng({ width, height, pixels });
}

/** A `data:` URL of {@link samplePng}. */
export function samplePngDataUrl(): string {
  return `data:image/png;base64,${samplePng().toString('base64')}`;
}

/** A server on 127.0.0.1 answering fixed paths, for input URLs. */
export async function startImageServer(routes: Record<string, { status: number; body?: Buffer }>): Promise<{
  url: string;
  close(): Promise<void>;
}> {
  const server: Server = createServer((request, response) => {
    const route = routes[request.url ?? ''];
    if (route === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(route.status, { 'content-type': 'image/png' });
    response.end(route.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One server-sent event, or a comment line. */
export interface ReceivedEvent {
  event?: string;
  data?: string;
  comment?: string;
}

/** Reads an event stream in the background and lets a test wait for what it needs. */
export function readEvents(response: Response): {
  events: ReceivedEvent[];
  ended: Promise<'ended' | 'error'>;
  waitFor(predicate: (event: ReceivedEvent) => boolean, timeoutMs?: number): Promise<ReceivedEvent>;
  stop(): Promise<void>;
} {
  const events: ReceivedEvent[] = [];
  const waiters: { predicate: (event: ReceivedEvent) => boolean; resolve: (event: ReceivedEvent) => void }[] =
    [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const push = (event: ReceivedEvent) => {
    events.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  };
  const ended = (async (): Promise<'ended' | 'error'> => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return 'ended';
        buffer += decoder.decode(value, { stream: true });
        let index = buffer.indexOf('\n\n');
        while (index >= 0) {
          const block = buffer.slice(0, index);
          buffer = buffer.slice(index + 2);
          const event: ReceivedEvent = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) event.comment = line.slice(1).trim();
            else if (line.startsWith('event: ')) event.event = line.slice(7);
            else if (line.startsWith('data: ')) event.data = line.slice(6);
          }
          push(event);
          index = buffer.indexOf('\n\n');
        }
      }
    } catch {
      return 'error';
    }
  })();
  return {
    events,
    ended,
    waitFor: (predicate, timeoutMs = 5000) => {
      const existing = events.find(predicate);
      if (existing !== undefined) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('event not received in time')), timeoutMs);
        waiters.push({
          predicate,
          resolve: (event) => {
            clearTimeout(timer);
            resolve(event);
          },
        });
      });
    },
    stop: async () => {
      await reader.cancel().catch(() => {});
    },
  };
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Sleeps. */
export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
