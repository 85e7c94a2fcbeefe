/**
 * A local Pixelsmith for tests: a real HTTP server on 127.0.0.1 that speaks the API's wire format,
 * records what it receives, and can be told to rate-limit. It returns the input picture as the edit.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the server received. */
export interface PixelsmithRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/** A running local Pixelsmith. */
export interface PixelsmithServer {
  url: string;
  requests: PixelsmithRequest[];
  /** Answer the next `count` edits with 429 and `Retry-After: 0`. */
  rateLimitNext(count: number): void;
  close(): Promise<void>;
}

const MODELS = [{ id: 'sketch-1', price_usd: 0.012, aspect_ratios: ['1:1', '16:9', '9:16'] }];

export async function startPixelsmithServer(options: { apiKey: string }): Promise<PixelsmithServer> {
  const requests: PixelsmithRequest[] = [];
  let rateLimited = 0;

  const send = (response: ServerResponse, status: number, body: unknown, headers = {}) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
  const read = async (request: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
  };

  const server = createServer(async (request, response) => {
    const body = await read(request);
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    requests.push({ method: request.method ?? '', path, authorization: request.headers.authorization, body });
    if (request.headers.authorization !== `Bearer ${options.apiKey}`) {
      return send(response, 401, { error: { code: 'unauthorized', message: 'Invalid API key' } });
    }
    if (request.method === 'GET' && path === '/v1/models') return send(response, 200, { models: MODELS });
    if (request.method === 'POST' && path === '/v1/edits') {
      if (rateLimited > 0) {
        rateLimited -= 1;
        return send(
          response,
          429,
          { error: { code: 'rate_limited', message: 'Slow down' } },
          { 'retry-after': '0' },
        );
      }
      const { model, image } = body as { model?: string; image?: string };
      const price = MODELS.find((entry) => entry.id === model)?.price_usd;
      const png = /^data:image\/png;base64,(.+)$/.exec(image ?? '')?.[1];
      if (price === undefined || png === undefined) {
        return send(response, 400, {
          error: { code: 'invalid_request', message: 'Unknown model or not a PNG' },
        });
      }
      return send(response, 200, { id: `ed_${requests.length}`, output: { b64_png: png }, cost_usd: price });
    }
    return send(response, 404, { error: { code: 'not_found', message: `No route ${path}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    rateLimitNext(count) {
      rateLimited = count;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
