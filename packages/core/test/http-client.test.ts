import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { gzipSync } from 'node:zlib';
import {
  ApiCallError,
  AuthenticationError,
  InsufficientCreditsError,
  InvalidResponseError,
  RateLimitError,
  RetouchError,
  TimeoutError,
} from '@retouch/core';
import {
  createHttpClient,
  type HttpClientOptions,
  imageToBlob,
  normalizeImageInput,
  parseRetryAfter,
  secondsToMs,
} from '@retouch/core/provider-utils';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { z } from 'zod';

const API_KEY = 'rt-live-key-7f3a9c1e5b2d40689a1c';
const tinyPngPath = fileURLToPath(new URL('./__fixtures__/tiny.png', import.meta.url));

interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type Handler = (request: IncomingMessage, response: ServerResponse, body: Buffer) => void;

interface TestServer {
  url: string;
  requests: RecordedRequest[];
  routes: Map<string, Handler>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 whose routes each test sets; it records what arrives. */
async function startServer(): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const routes = new Map<string, Handler>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      const handler = routes.get(new URL(request.url!, 'http://x').pathname);
      if (handler) return handler(request, response, body);
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ details: 'Not Found' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    routes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

let provider: TestServer;
let other: TestServer;
let tinyPng: Buffer;
/** Every error this file provokes, checked at the end for the key. */
const produced: unknown[] = [];

beforeAll(async () => {
  [provider, other] = await Promise.all([startServer(), startServer()]);
  tinyPng = await readFile(tinyPngPath);
});

afterAll(async () => {
  await Promise.all([provider.close(), other.close()]);
});

beforeEach(() => {
  for (const server of [provider, other]) {
    server.requests.length = 0;
    server.routes.clear();
  }
});

function client(overrides: Partial<HttpClientOptions> = {}) {
  return createHttpClient({
    provider: 'oxen',
    baseURL: `${provider.url}/`,
    apiKey: API_KEY,
    apiKeyEnvVar: 'OXEN_API_KEY',
    headers: { 'x-client': 'retouch-test' },
    timeoutMs: 2_000,
    ...overrides,
  });
}

/** Awaits a rejection and records the error for the final key check. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${inspect(value)}`);
    },
    (caught: unknown) => caught,
  );
  produced.push(error);
  return error;
}

/** The redirect mode fetch is asked for, whether it gets a Request or a URL and options. */
function redirectOf(input: RequestInfo | URL, init: RequestInit | undefined): RequestRedirect | undefined {
  return init?.redirect ?? (input instanceof Request ? input.redirect : undefined);
}

/** A signal that fails a test quickly instead of letting a hung request reach the test timeout. */
const safety = (): AbortSignal => AbortSignal.timeout(3_000);

describe('JSON requests', () => {
  test('GET sends the key, the provider headers and the query, and parses the answer', async () => {
    provider.routes.set('/api/ai/models', (_request, response) =>
      json(
        response,
        200,
        { object: 'list', data: [{ id: 'qwen-image-edit' }] },
        { 'x-request-id': 'req-42' },
      ),
    );
    const response = await client().request({
      method: 'GET',
      path: '/api/ai/models',
      query: { action: 'edit', page: 2, skipped: undefined },
      headers: { 'x-trace': 't-1' },
    });
    expect(response).toMatchObject({
      status: 200,
      data: { object: 'list', data: [{ id: 'qwen-image-edit' }] },
      requestId: 'req-42',
      url: `${provider.url}/api/ai/models?action=edit&page=2`,
    });
    const [seen] = provider.requests;
    expect(seen).toMatchObject({ method: 'GET', url: '/api/ai/models?action=edit&page=2' });
    expect(seen!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(seen!.headers['x-client']).toBe('retouch-test');
    expect(seen!.headers['x-trace']).toBe('t-1');
  });

  test('POST sends the JSON body with its content type', async () => {
    provider.routes.set('/api/ai/queue', (_request, response, body) =>
      json(response, 200, {
        generations: [{ generation_id: 'g-1', status: 'queued' }],
        echo: JSON.parse(body.toString()),
      }),
    );
    const payload = { model: 'qwen-image-edit', prompt: 'Make it blue ☁', num_generations: 2 };
    const response = await client().request({ method: 'POST', path: '/api/ai/queue', json: payload });
    expect(response.data).toMatchObject({ echo: payload });
    const [seen] = provider.requests;
    expect(seen!.method).toBe('POST');
    expect(seen!.headers['content-type']).toMatch(/^application\/json/);
    expect(seen!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(JSON.parse(seen!.body.toString('utf8'))).toEqual(payload);
  });

  test('a schema parses the answer, and an empty 2xx body is undefined', async () => {
    provider.routes.set('/typed', (_request, response) => json(response, 200, { count: '3' }));
    provider.routes.set('/empty', (_request, response) => {
      response.writeHead(204);
      response.end();
    });
    const typed = await client().request({
      method: 'GET',
      path: '/typed',
      schema: z.object({ count: z.coerce.number(), extra: z.string().default('x') }),
    });
    expect(typed.data).toEqual({ count: 3, extra: 'x' });
    const empty = await client().request({ method: 'DELETE', path: '/empty' });
    expect(empty).toMatchObject({ status: 204, data: undefined });
    expect(provider.requests[1]!.method).toBe('DELETE');
  });

  test('an absolute URL on another origin is requested without the key or the provider headers', async () => {
    other.routes.set('/elsewhere', (_request, response) => json(response, 200, { ok: true }));
    const response = await client().request({ method: 'GET', path: `${other.url}/elsewhere` });
    expect(response.data).toEqual({ ok: true });
    const [seen] = other.requests;
    expect(seen!.headers.authorization).toBeUndefined();
    expect(seen!.headers['x-client']).toBeUndefined();
    expect(JSON.stringify(seen!.headers)).not.toContain(API_KEY);
  });
});

describe('multipart', () => {
  test('a disk-backed Blob reaches the server byte for byte, with the text fields', async () => {
    const big = randomBytes(256 * 1024);
    big.set(tinyPng.subarray(0, 8), 0); // a PNG signature, so the form part is an image
    const directory = await mkdtemp(join(tmpdir(), 'retouch-multipart-'));
    const bigPath = join(directory, 'large.png');
    await writeFile(bigPath, big);
    try {
      provider.routes.set('/v3/images/edits', (_request, response) => json(response, 200, { ok: true }));
      const small = await imageToBlob(await normalizeImageInput({ path: tinyPngPath }, 'images.0'));
      const large = await imageToBlob(await normalizeImageInput({ path: bigPath }, 'images.1'));
      const form = new FormData();
      form.set('model', 'openai/gpt-image-2');
      form.set('prompt', 'Add a hat');
      form.append('image[]', small, 'tiny.png');
      form.append('image[]', large, 'large.png');
      await client().request({ method: 'POST', path: '/v3/images/edits', form });

      const [seen] = provider.requests;
      expect(seen!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      expect(seen!.headers.authorization).toBe(`Bearer ${API_KEY}`);
      const received = await new Response(new Uint8Array(seen!.body), {
        headers: { 'content-type': seen!.headers['content-type']! },
      }).formData();
      expect(received.get('model')).toBe('openai/gpt-image-2');
      expect(received.get('prompt')).toBe('Add a hat');
      const files = received.getAll('image[]') as File[];
      expect(files.map((file) => [file.name, file.type])).toEqual([
        ['tiny.png', 'image/png'],
        ['large.png', 'image/png'],
      ]);
      expect(Buffer.from(await files[0]!.arrayBuffer()).equals(tinyPng)).toBe(true);
      expect(Buffer.from(await files[1]!.arrayBuffer()).equals(big)).toBe(true);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('status codes', () => {
  const table: {
    status: number;
    type: string;
    retryable?: boolean;
    provablyNotProcessed?: boolean;
    message?: RegExp;
  }[] = [
    { status: 400, type: 'ApiCallError', retryable: false, provablyNotProcessed: false },
    {
      status: 401,
      type: 'AuthenticationError',
      retryable: false,
      provablyNotProcessed: false,
      message: /Check the API key \(OXEN_API_KEY\)/,
    },
    { status: 402, type: 'InsufficientCreditsError', message: /Add credits to the oxen account/ },
    {
      status: 403,
      type: 'AuthenticationError',
      retryable: false,
      provablyNotProcessed: false,
      message: /lacks permission/,
    },
    { status: 404, type: 'ApiCallError', retryable: false, provablyNotProcessed: false },
    { status: 408, type: 'ApiCallError', retryable: true, provablyNotProcessed: false },
    { status: 413, type: 'ApiCallError', retryable: false, provablyNotProcessed: false },
    { status: 422, type: 'ApiCallError', retryable: false, provablyNotProcessed: false },
    { status: 429, type: 'RateLimitError', retryable: true, provablyNotProcessed: true },
    { status: 500, type: 'ApiCallError', retryable: true, provablyNotProcessed: false },
    { status: 502, type: 'ApiCallError', retryable: true, provablyNotProcessed: false },
    { status: 503, type: 'ApiCallError', retryable: true, provablyNotProcessed: true },
    { status: 504, type: 'ApiCallError', retryable: true, provablyNotProcessed: false },
  ];

  test.each(table)(
    '$status becomes $type',
    async ({ status, type, retryable, provablyNotProcessed, message }) => {
      // A hostile or careless provider echoes the key in its error body and headers.
      provider.routes.set('/api/ai/images/edit', (_request, response) =>
        json(
          response,
          status,
          { error: { type: 'invalid_params', title: 'Nope', detail: `the token ${API_KEY} said no` } },
          { 'x-request-id': `req-${status}`, 'www-authenticate': `Bearer ${API_KEY}`, 'x-echo': API_KEY },
        ),
      );
      const error = (await failure(
        client().request({ method: 'POST', path: '/api/ai/images/edit', json: { prompt: 'x' } }),
      )) as ApiCallError;
      expect(error.name).toBe(type);
      expect(RetouchError.isInstance(error)).toBe(true);
      expect(error.statusCode).toBe(status);
      expect(error.message).toContain(
        `oxen: POST ${provider.url}/api/ai/images/edit failed with ${status}: Nope: the token [REDACTED] said no`,
      );
      if (message) expect(error.message).toMatch(message);
      if (type === 'InsufficientCreditsError') {
        expect(InsufficientCreditsError.isInstance(error)).toBe(true);
        expect(ApiCallError.isInstance(error)).toBe(false);
        return;
      }
      expect(ApiCallError.isInstance(error)).toBe(true);
      expect(error.isRetryable).toBe(retryable);
      expect(error.provablyNotProcessed).toBe(provablyNotProcessed);
      expect(error.requestId).toBe(`req-${status}`);
      expect(error.code).toBe('invalid_params');
      expect(error.method).toBe('POST');
      expect(error.url).toBe(`${provider.url}/api/ai/images/edit`);
      expect(error.responseBody).toEqual({
        error: { type: 'invalid_params', title: 'Nope', detail: 'the token [REDACTED] said no' },
      });
    },
  );

  test('401 names the key variable; without one it still says to check the key', async () => {
    provider.routes.set('/me', (_request, response) =>
      json(response, 401, { detail: 'Invalid or missing authentication token' }),
    );
    const named = (await failure(client().request({ method: 'GET', path: '/me' }))) as AuthenticationError;
    expect(AuthenticationError.isInstance(named)).toBe(true);
    expect(named.message).toBe(
      `oxen: GET ${provider.url}/me failed with 401: Invalid or missing authentication token. Check the API key (OXEN_API_KEY).`,
    );
    const unnamed = await failure(
      client({ apiKeyEnvVar: undefined }).request({ method: 'GET', path: '/me' }),
    );
    expect((unnamed as Error).message).toMatch(/Check the API key\.$/);
  });

  test('an HTML error page is kept as a short text excerpt', async () => {
    provider.routes.set('/gateway', (_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end(`<html><body>Bad   gateway\n${'padding '.repeat(100)}</body></html>`);
    });
    const error = (await failure(client().request({ method: 'GET', path: '/gateway' }))) as ApiCallError;
    expect(error.message).toContain(': <html><body>Bad gateway padding');
    expect(typeof error.responseBody).toBe('string');
    expect((error.responseBody as string).length).toBeLessThanOrEqual(201);
  });

  test('an error body larger than the cap still reports the status', async () => {
    provider.routes.set('/overloaded', (_request, response) => {
      response.writeHead(503, { 'content-type': 'text/html', 'retry-after': '1' });
      response.end(`<html>Service Unavailable ${'x'.repeat(200_000)}</html>`);
    });
    // Past the 64 KiB read for an error's message: the start of the page is kept.
    const error = (await failure(
      client().request({ method: 'POST', path: '/overloaded', json: {} }),
    )) as ApiCallError;
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error.statusCode).toBe(503);
    expect(error.provablyNotProcessed).toBe(true);
    expect(error.retryAfterMs).toBe(1000);
    expect(error.message).toContain('Service Unavailable');
    // Past the client's response cap too: the status and its Retry-After still make the error.
    const capped = (await failure(
      client({ maxResponseBytes: 1024 }).request({ method: 'POST', path: '/overloaded', json: {} }),
    )) as ApiCallError;
    expect(ApiCallError.isInstance(capped)).toBe(true);
    expect(capped.statusCode).toBe(503);
    expect(capped.provablyNotProcessed).toBe(true);
    expect(capped.retryAfterMs).toBe(1000);
  });

  test("the provider's parser can reclassify an error and add its details", async () => {
    provider.routes.set('/credits', (_request, response) =>
      json(response, 400, {
        error_code: 'INSUFFICIENT_CREDIT',
        required_credits: 500,
        available_credits: 200,
      }),
    );
    provider.routes.set('/throttled', (_request, response) =>
      json(response, 400, { error_code: 'RATE_LIMITED', retry_after: 1.5 }),
    );
    const http = client({
      parseErrorBody: (_status, body) => {
        const record = body as Record<string, unknown>;
        if (record.error_code === 'INSUFFICIENT_CREDIT') {
          return {
            kind: 'insufficient-credits',
            message: 'not enough credits',
            requiredCredits: 500,
            availableCredits: 200,
          };
        }
        return { kind: 'rate-limit', code: 'RATE_LIMITED', retryAfterMs: secondsToMs(record.retry_after) };
      },
    });
    const credits = (await failure(
      http.request({ method: 'POST', path: '/credits', json: {} }),
    )) as InsufficientCreditsError;
    expect(credits).toMatchObject({
      name: 'InsufficientCreditsError',
      statusCode: 400,
      requiredCredits: 500,
      availableCredits: 200,
    });
    const throttled = (await failure(
      http.request({ method: 'POST', path: '/throttled', json: {} }),
    )) as RateLimitError;
    expect(RateLimitError.isInstance(throttled)).toBe(true);
    expect(throttled).toMatchObject({ retryAfterMs: 1500, code: 'RATE_LIMITED', provablyNotProcessed: true });
  });

  test.each([401, 403, 404, 410])(
    'a result download refused with %i says the URL likely expired, not that the key is wrong',
    async (status) => {
      other.routes.set('/files/result.png', (_request, response) =>
        json(response, status, { Code: 'AccessDenied', Message: 'Request has expired' }),
      );
      const error = (await failure(
        client().download(`${other.url}/files/result.png?signature=abc`),
      )) as ApiCallError;
      expect(error.name).toBe('ApiCallError');
      expect(AuthenticationError.isInstance(error)).toBe(false);
      expect(error).toMatchObject({ statusCode: status, isRetryable: false });
      expect(error.message).toMatch(/result URLs are signed and temporary, so it has likely expired/);
      expect(error.message).not.toContain('signature=abc');
    },
  );
});

describe('Retry-After', () => {
  test('the seconds form', async () => {
    provider.routes.set('/limited', (_request, response) =>
      json(response, 429, { detail: 'Rate limit exceeded' }, { 'retry-after': '2' }),
    );
    const error = (await failure(client().request({ method: 'GET', path: '/limited' }))) as RateLimitError;
    expect(RateLimitError.isInstance(error)).toBe(true);
    expect(error.retryAfterMs).toBe(2000);
  });

  test('the HTTP-date form', async () => {
    provider.routes.set('/limited', (_request, response) =>
      json(response, 503, {}, { 'retry-after': new Date(Date.now() + 5_000).toUTCString() }),
    );
    const error = (await failure(client().request({ method: 'GET', path: '/limited' }))) as ApiCallError;
    expect(error.retryAfterMs).toBeGreaterThan(3_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(5_000);
  });

  test("the body's delay is used when the header is absent or unreadable", async () => {
    const http = client({
      parseErrorBody: (_status, body) => ({
        retryAfterMs: secondsToMs((body as { retry_after: unknown }).retry_after),
      }),
    });
    for (const header of [undefined, 'soon', '-1']) {
      provider.routes.set('/limited', (_request, response) =>
        json(response, 429, { retry_after: 1.5 }, header === undefined ? {} : { 'retry-after': header }),
      );
      const error = (await failure(http.request({ method: 'GET', path: '/limited' }))) as RateLimitError;
      expect(error.retryAfterMs, `Retry-After: ${header}`).toBe(1500);
    }
  });

  describe('parseRetryAfter', () => {
    const now = Date.parse('Sun, 06 Nov 1994 08:49:30 GMT');

    test.each([
      ['2', 2000],
      ['0', 0],
      [' 3 ', 3000],
      ['1.5', 1500],
      ['120', 120_000],
      ['Sun, 06 Nov 1994 08:49:37 GMT', 7000],
      ['Sunday, 06-Nov-94 08:49:37 GMT', 7000],
      ['Sun Nov  6 08:49:37 1994', 7000],
      ['Sun, 06 Nov 1994 08:49:00 GMT', 0],
    ])('%j is %i ms', (value, expected) => {
      expect(parseRetryAfter(value, now)).toBe(expected);
    });

    test('the asctime form is GMT whatever the local time zone', () => {
      const zone = process.env.TZ;
      process.env.TZ = 'America/New_York';
      try {
        expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', now)).toBe(7000);
      } finally {
        if (zone === undefined) delete process.env.TZ;
        else process.env.TZ = zone;
      }
    });

    test.each([
      null,
      undefined,
      '',
      '   ',
      'soon',
      '-1',
      '10s',
      '1 2',
      '0x10',
      'Infinity',
      '2026-11-06',
      'Sun, 06 Nov 1994',
      'tomorrow at noon',
    ])('%j is not a delay', (value) => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    });

    test('secondsToMs reads a body value in seconds', () => {
      expect(secondsToMs(1.5)).toBe(1500);
      expect(secondsToMs(0)).toBe(0);
      expect(secondsToMs('2')).toBe(2000);
      expect(secondsToMs(-1)).toBeUndefined();
      expect(secondsToMs(Number.NaN)).toBeUndefined();
      expect(secondsToMs(Number.POSITIVE_INFINITY)).toBeUndefined();
      expect(secondsToMs(null)).toBeUndefined();
    });
  });
});

describe('timeouts and aborts', () => {
  const hang: Handler = () => {
    // Never answers; the server closes the socket at teardown.
  };
  const stallBody: Handler = (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"images": [');
  };

  test('no response within the per-attempt timeout is a TimeoutError', async () => {
    provider.routes.set('/hang', hang);
    const error = (await failure(
      client({ timeoutMs: 80 }).request({ method: 'GET', path: '/hang', signal: safety() }),
    )) as TimeoutError;
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(ApiCallError.isInstance(error)).toBe(false);
    expect(error).toMatchObject({ timeoutMs: 80, stage: 'request' });
    expect(error.message).toContain(`oxen: GET ${provider.url}/hang`);
    expect(error.message).toContain('80 ms');
  });

  test('a request can override the timeout', async () => {
    provider.routes.set('/hang', hang);
    const error = (await failure(
      client({ timeoutMs: 10_000 }).request({
        method: 'POST',
        path: '/hang',
        json: {},
        timeoutMs: 60,
        signal: safety(),
      }),
    )) as TimeoutError;
    expect(error).toMatchObject({ name: 'TimeoutError', timeoutMs: 60 });
  });

  test('a body that stops arriving after the headers times out too', async () => {
    provider.routes.set('/stall', stallBody);
    const error = (await failure(
      client({ timeoutMs: 100 }).request({ method: 'GET', path: '/stall', signal: safety() }),
    )) as TimeoutError;
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(error.timeoutMs).toBe(100);
  });

  test('a download that stalls is a TimeoutError of the attempt', async () => {
    provider.routes.set('/result.png', stallBody);
    const error = (await failure(
      client().download(`${provider.url}/result.png`, { timeoutMs: 80, signal: safety() }),
    )) as TimeoutError;
    // The attempt's stage, which the dispatcher retries like any per-attempt timeout.
    expect(error).toMatchObject({ name: 'TimeoutError', timeoutMs: 80, stage: 'request' });
  });

  test('aborting passes the abort reason through unwrapped', async () => {
    provider.routes.set('/hang', hang);
    const controller = new AbortController();
    const reason = new Error('the user closed the tab');
    setTimeout(() => controller.abort(reason), 30);
    const error = await failure(
      client().request({ method: 'POST', path: '/hang', json: {}, signal: controller.signal }),
    );
    expect(error).toBe(reason);
    expect(RetouchError.isInstance(error)).toBe(false);
  });

  test('aborting without a reason rejects with the AbortError DOMException', async () => {
    provider.routes.set('/hang', hang);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const error = await failure(
      client().request({ method: 'GET', path: '/hang', signal: controller.signal }),
    );
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    expect(RetouchError.isInstance(error)).toBe(false);
  });

  test('aborting while the body streams in passes the reason through', async () => {
    provider.routes.set('/stall', stallBody);
    const controller = new AbortController();
    const reason = new Error('stop');
    const pending = client().download(`${provider.url}/stall`, { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    expect(await failure(pending)).toBe(reason);
  });

  test('an already-aborted signal sends nothing', async () => {
    provider.routes.set('/never', (_request, response) => json(response, 200, {}));
    const reason = new Error('already gone');
    const error = await failure(
      client().request({ method: 'POST', path: '/never', json: {}, signal: AbortSignal.abort(reason) }),
    );
    expect(error).toBe(reason);
    expect(provider.requests).toHaveLength(0);
  });

  test('a user abort wins over a timeout that has not fired', async () => {
    provider.routes.set('/hang', hang);
    const controller = new AbortController();
    setTimeout(() => controller.abort('reason-string'), 20);
    const error = await failure(
      client({ timeoutMs: 5_000 }).request({ method: 'GET', path: '/hang', signal: controller.signal }),
    );
    expect(error).toBe('reason-string');
  });
});

describe('size caps', () => {
  const declared: Handler = (_request, response) => {
    const body = JSON.stringify({ blob: 'y'.repeat(5_000) });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
    response.end(body);
  };
  const chunked: Handler = (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    for (let index = 0; index < 10; index++) response.write('z'.repeat(500));
    response.end();
  };

  test('a JSON answer declaring more than the cap is refused', async () => {
    provider.routes.set('/declared', declared);
    const error = (await failure(
      client({ maxResponseBytes: 1024 }).request({ method: 'GET', path: '/declared' }),
    )) as InvalidResponseError;
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect(error.message).toContain('larger than the 1024-byte cap');
    expect(error.url).toBe(`${provider.url}/declared`);
  });

  test('a chunked JSON answer without a length is cut at the cap', async () => {
    provider.routes.set('/chunked', chunked);
    const error = (await failure(
      client({ maxResponseBytes: 1024 }).request({ method: 'GET', path: '/chunked' }),
    )) as InvalidResponseError;
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect(error.message).toContain('1024-byte cap');
  });

  test('a compressed answer whose declared length fits but whose decoded body does not is cut at the cap', async () => {
    provider.routes.set('/gzip', (_request, response) => {
      const body = gzipSync(JSON.stringify({ blob: 'g'.repeat(50_000) }));
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': String(body.length),
      });
      response.end(body);
    });
    const error = (await failure(
      client({ maxResponseBytes: 1024 }).request({ method: 'GET', path: '/gzip' }),
    )) as InvalidResponseError;
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect(error.message).toContain('1024-byte cap');
  });

  test('an answer within the cap is read whole, declared length or not', async () => {
    provider.routes.set('/small', (_request, response) => {
      const body = JSON.stringify({ ok: 'é'.repeat(100) });
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
      });
      response.end(body);
    });
    const { data } = await client({ maxResponseBytes: 1024 }).request<{ ok: string }>({
      method: 'GET',
      path: '/small',
    });
    expect(data.ok).toBe('é'.repeat(100));
  });

  test('downloads are capped by declared length and by counting', async () => {
    provider.routes.set('/declared', declared);
    provider.routes.set('/chunked', chunked);
    for (const path of ['/declared', '/chunked']) {
      const error = (await failure(
        client().download(`${provider.url}${path}`, { maxBytes: 1_000 }),
      )) as InvalidResponseError;
      expect(InvalidResponseError.isInstance(error), path).toBe(true);
      expect(error.message).toContain('1000-byte cap');
    }
  });

  test('a body at the cap is accepted', async () => {
    provider.routes.set('/exact', (_request, response) => {
      response.writeHead(200, { 'content-type': 'image/png; charset=binary' });
      response.end(tinyPng);
    });
    const downloaded = await client().download(`${provider.url}/exact`, { maxBytes: tinyPng.length });
    expect(Buffer.from(downloaded.bytes).equals(tinyPng)).toBe(true);
    expect(downloaded).toMatchObject({ contentType: 'image/png', url: `${provider.url}/exact` });
  });
});

describe('malformed answers', () => {
  test('malformed JSON on a 2xx is an InvalidResponseError with an excerpt', async () => {
    provider.routes.set('/broken', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{"images": [{"url": "https://x/${API_KEY}"`);
    });
    const error = (await failure(
      client().request({ method: 'GET', path: '/broken' }),
    )) as InvalidResponseError;
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect(ApiCallError.isInstance(error)).toBe(false);
    expect(error.message).toBe(`oxen: GET ${provider.url}/broken answered 200 with a body that is not JSON`);
    expect(error.excerpt).toBe('{"images": [{"url": "https://x/[REDACTED]"');
    expect((error.cause as Error).name).toBe('SyntaxError');
  });

  test('a schema violation names the path in the payload', async () => {
    provider.routes.set('/edit', (_request, response) =>
      json(response, 200, { images: [{ url: 'https://a' }, { url: 5 }] }),
    );
    const schema = z.object({ images: z.array(z.object({ url: z.string() })) });
    const error = (await failure(
      client().request({ method: 'POST', path: '/edit', json: {}, schema }),
    )) as InvalidResponseError;
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect(error.path).toBe('images.1.url');
    expect(error.message).toContain('unexpected payload at "images.1.url"');
    expect(error.excerpt).toContain('"url":5');
  });
});

describe('connection failures', () => {
  test('a refused connection was provably never processed', async () => {
    const closed = await startServer();
    await closed.close();
    const error = (await failure(
      createHttpClient({ provider: 'oxen', baseURL: closed.url, apiKey: API_KEY }).request({
        method: 'POST',
        path: '/api/ai/queue',
        json: {},
      }),
    )) as ApiCallError;
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      isRetryable: true,
      provablyNotProcessed: true,
      code: 'ECONNREFUSED',
      statusCode: undefined,
    });
    expect(error.message).toContain('the request was never sent');
  });

  test('a connection reset after the request arrived is retryable but not provably unprocessed', async () => {
    provider.routes.set('/api/ai/queue', (request) => request.socket.destroy());
    const error = (await failure(
      client().request({ method: 'POST', path: '/api/ai/queue', json: { prompt: 'x' } }),
    )) as ApiCallError;
    expect(provider.requests).toHaveLength(1);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error.isRetryable).toBe(true);
    expect(error.provablyNotProcessed).toBe(false);
    expect(error.statusCode).toBeUndefined();
    expect(error.message).toContain('network error');
  });

  test('a connection cut in the middle of the body is a network error while reading', async () => {
    provider.routes.set('/cut', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"partial": ', () => response.socket?.destroy());
    });
    const error = (await failure(client().request({ method: 'GET', path: '/cut' }))) as ApiCallError;
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ isRetryable: true, provablyNotProcessed: false });
    expect(error.message).toContain('while reading the response');
  });
});

describe('where the key goes', () => {
  test('a download from the provider origin carries the key', async () => {
    provider.routes.set('/api/repos/result.png', (_request, response) => {
      response.writeHead(200, { 'content-type': 'image/png' });
      response.end(tinyPng);
    });
    await client().download(`${provider.url}/api/repos/result.png`);
    expect(provider.requests[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  test('a download from another origin carries neither the key nor the provider headers', async () => {
    other.routes.set('/cdn/result.png', (_request, response) => {
      response.writeHead(200, { 'content-type': 'image/png' });
      response.end(tinyPng);
    });
    const downloaded = await client().download(`${other.url}/cdn/result.png?sig=abc`);
    expect(Buffer.from(downloaded.bytes).equals(tinyPng)).toBe(true);
    const [seen] = other.requests;
    expect(seen!.url).toBe('/cdn/result.png?sig=abc');
    expect(seen!.headers.authorization).toBeUndefined();
    expect(seen!.headers['x-client']).toBeUndefined();
    expect(JSON.stringify(seen!.headers)).not.toContain(API_KEY);
  });

  test('a redirect from the provider to another host is followed without the key', async () => {
    provider.routes.set('/api/repos/result.png', (_request, response) => {
      response.writeHead(302, { location: `${other.url}/signed/result.png?token=t` });
      response.end();
    });
    other.routes.set('/signed/result.png', (_request, response) => {
      response.writeHead(200, { 'content-type': 'image/png' });
      response.end(tinyPng);
    });
    const downloaded = await client().download(`${provider.url}/api/repos/result.png`);
    expect(Buffer.from(downloaded.bytes).equals(tinyPng)).toBe(true);
    expect(downloaded.url).toBe(`${other.url}/signed/result.png?token=t`);
    expect(provider.requests[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(other.requests).toHaveLength(1);
    expect(other.requests[0]!.headers.authorization).toBeUndefined();
    expect(JSON.stringify(other.requests)).not.toContain(API_KEY);
  });

  test('a POST redirected to another host is not re-sent there', async () => {
    provider.routes.set('/api/ai/queue', (_request, response) => {
      response.writeHead(307, { location: `${other.url}/steal` });
      response.end();
    });
    const error = (await failure(
      client().request({ method: 'POST', path: '/api/ai/queue', json: { prompt: 'x' } }),
    )) as ApiCallError;
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error.message).toContain('answered with a redirect, which is not followed');
    expect(other.requests).toHaveLength(0);
    expect(provider.requests).toHaveLength(1);
  });

  test('a POST that may be billed, answered with a redirect on the same origin, is sent once and refused', async () => {
    provider.routes.set('/v3/images/edits/', (_request, response) => {
      response.writeHead(307, { location: '/v3/images/edits' });
      response.end();
    });
    provider.routes.set('/v3/images/edits', (_request, response) => json(response, 200, {}));
    const error = (await failure(
      client().request({ method: 'POST', path: '/v3/images/edits/', json: { prompt: 'x' } }),
    )) as ApiCallError;
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error.message).toBe(
      `oxen: POST ${provider.url}/v3/images/edits/ answered with a redirect, which is not followed: the request may be billed, so it is not sent again, to the new address or the same one; check the provider's baseURL`,
    );
    expect(provider.requests.map((request) => request.url)).toEqual(['/v3/images/edits/']);
  });

  test('a JSON body goes without a copy kept for a replay: redirects are errors and there is no window', async () => {
    provider.routes.set('/v3/images/edits', (_request, response) => json(response, 200, {}));
    const sent: [RequestRedirect | undefined, null | undefined][] = [];
    const http = createHttpClient({
      provider: 'oxen',
      baseURL: provider.url,
      apiKey: API_KEY,
      fetch: (input, init) => {
        sent.push([redirectOf(input, init), (init as { window?: null } | undefined)?.window]);
        return fetch(input, init);
      },
    });
    await http.request({ method: 'POST', path: '/v3/images/edits', json: { prompt: 'x' } });
    // What fetch is handed (a Request and its options), as it builds its own request from them.
    expect(sent).toEqual([['error', null]]);
    expect(JSON.parse(provider.requests[0]!.body.toString())).toEqual({ prompt: 'x' });
  });

  test('a free POST answered with a 307 on the same origin is re-sent, and the redirect followed with its body', async () => {
    provider.routes.set('/v3/images/edits/', (_request, response) => {
      response.writeHead(307, { location: '/v3/images/edits' });
      response.end();
    });
    provider.routes.set('/v3/images/edits', (_request, response, body) =>
      json(response, 200, { got: JSON.parse(body.toString()) }),
    );
    const response = await client().request({
      method: 'POST',
      path: '/v3/images/edits/',
      json: { prompt: 'x' },
      billable: false,
    });
    expect(response.data).toEqual({ got: { prompt: 'x' } });
    // Once as fetch sends a body (a redirect is an error there), once to read the redirect, once to follow it.
    expect(provider.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'POST /v3/images/edits/',
      'POST /v3/images/edits/',
      'POST /v3/images/edits',
    ]);
    expect(provider.requests[2]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  test('a multipart POST answered with a redirect fails, since its streamed body is not kept for a replay', async () => {
    provider.routes.set('/v3/upload/', (_request, response) => {
      response.writeHead(307, { location: '/v3/upload' });
      response.end();
    });
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(tinyPng)], { type: 'image/png' }), 'tiny.png');
    const error = (await failure(
      client().request({ method: 'POST', path: '/v3/upload/', form }),
    )) as ApiCallError;
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error.message).toContain(
      'answered with a redirect, which a streamed multipart body does not follow',
    );
    expect(provider.requests.map((request) => request.url)).toEqual(['/v3/upload/']);
  });

  test('where fetch cannot refuse a redirect itself (workerd), the same refusal is made by hand', async () => {
    provider.routes.set('/v3/upload/', (_request, response) => {
      response.writeHead(307, { location: '/v3/upload' });
      response.end();
    });
    // A runtime whose Request does not take `redirect: 'error'`, as workerd's; core checks once per
    // module, so a fresh copy of it is loaded under the stand-in.
    class RequestWithoutRedirectError extends Request {
      constructor(input: RequestInfo | URL, init?: RequestInit) {
        if (init?.redirect === 'error') throw new TypeError("redirect: 'error' is not supported");
        super(input, init);
      }
    }
    vi.resetModules();
    vi.stubGlobal('Request', RequestWithoutRedirectError);
    try {
      const fresh = await import('@retouch/core/provider-utils');
      const sent: (RequestRedirect | undefined)[] = [];
      const http = fresh.createHttpClient({
        provider: 'edenai',
        baseURL: provider.url,
        apiKey: API_KEY,
        fetch: (input, init) => {
          sent.push(redirectOf(input, init));
          return fetch(input, init);
        },
      });
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(tinyPng)], { type: 'image/png' }), 'tiny.png');
      const error = (await failure(
        http.request({ method: 'POST', path: '/v3/upload/', form }),
      )) as ApiCallError;
      expect(sent).toEqual(['manual']);
      expect(ApiCallError.isInstance(error)).toBe(true);
      expect(error.message).toContain(
        'answered with a redirect, which a streamed multipart body does not follow',
      );
      // Not followed: the one request is the upload, never replayed to the new location.
      expect(provider.requests.map((request) => request.url)).toEqual(['/v3/upload/']);

      // A JSON request that may be billed is refused the same way there, and a free one followed.
      provider.routes.set('/v3/images/edits/', (_request, response) => {
        response.writeHead(307, { location: '/v3/images/edits' });
        response.end();
      });
      provider.routes.set('/v3/images/edits', (_request, response) => json(response, 200, { ok: true }));
      const billed = (await failure(
        http.request({ method: 'POST', path: '/v3/images/edits/', json: { prompt: 'x' } }),
      )) as ApiCallError;
      expect(billed.message).toContain('answered with a redirect, which is not followed');
      const free = await http.request({
        method: 'POST',
        path: '/v3/images/edits/',
        json: { prompt: 'x' },
        billable: false,
      });
      expect(free.data).toEqual({ ok: true });
      expect(sent).toEqual(['manual', 'manual', 'manual', 'manual']);
      expect(provider.requests.map((request) => request.url)).toEqual([
        '/v3/upload/',
        '/v3/images/edits/',
        '/v3/images/edits/',
        '/v3/images/edits',
      ]);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  test('a 303 after a free POST is followed with a GET and no body', async () => {
    provider.routes.set('/submit', (_request, response) => {
      response.writeHead(303, { location: '/status/1' });
      response.end();
    });
    provider.routes.set('/status/1', (_request, response) => json(response, 200, { status: 'queued' }));
    const response = await client().request({
      method: 'POST',
      path: '/submit',
      json: { prompt: 'x' },
      billable: false,
    });
    expect(response.data).toEqual({ status: 'queued' });
    expect(provider.requests.map((request) => request.method)).toEqual(['POST', 'POST', 'GET']);
    expect(provider.requests[2]).toMatchObject({ method: 'GET', url: '/status/1' });
    expect(provider.requests[2]!.body.length).toBe(0);
  });

  test('a redirect loop stops', async () => {
    provider.routes.set('/loop', (request, response) => {
      const hop = Number(new URL(request.url!, 'http://x').searchParams.get('hop') ?? 0);
      response.writeHead(302, { location: `/loop?hop=${hop + 1}` });
      response.end();
    });
    const error = (await failure(client().download(`${provider.url}/loop`))) as ApiCallError;
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/redirected more than 5 times/);
    expect(provider.requests.length).toBe(6);
  });

  test('a redirect to a cloud metadata address is refused', async () => {
    provider.routes.set('/sneaky', (_request, response) => {
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      response.end();
    });
    const error = (await failure(client().download(`${provider.url}/sneaky`))) as ApiCallError;
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/link-local/);
  });

  test.each([
    'file:///etc/passwd',
    'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'http://[fe80::1]/x.png',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://0.0.0.0:80/x.png',
    'javascript:alert(1)',
    'not a url',
  ])('the result URL %s is refused before any request', async (url) => {
    const calls: string[] = [];
    const http = client({
      fetch: (input, init) => {
        calls.push(String(input instanceof Request ? input.url : input));
        return globalThis.fetch(input, init);
      },
    });
    const error = (await failure(http.download(url))) as InvalidResponseError;
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect(calls).toEqual([]);
  });
});

describe('request ids', () => {
  test.each(['x-request-id', 'request-id', 'x-amzn-requestid', 'x-edenai-request-id', 'cf-ray'])(
    'read from %s',
    async (header) => {
      provider.routes.set('/id', (_request, response) =>
        json(response, 200, {}, { [header]: `id-from-${header}` }),
      );
      const response = await client().request({ method: 'GET', path: '/id' });
      expect(response.requestId).toBe(`id-from-${header}`);
    },
  );

  test('x-request-id wins over cf-ray, and errors carry it too', async () => {
    provider.routes.set('/id', (_request, response) =>
      json(response, 500, { error: 'boom' }, { 'cf-ray': 'ray-1', 'x-request-id': 'req-1' }),
    );
    const error = (await failure(client().request({ method: 'GET', path: '/id' }))) as ApiCallError;
    expect(error.requestId).toBe('req-1');
    expect(error.message).toContain('failed with 500: boom');
  });

  test('no request id header leaves it unset', async () => {
    provider.routes.set('/id', (_request, response) => json(response, 200, {}));
    expect(Object.hasOwn(await client().request({ method: 'GET', path: '/id' }), 'requestId')).toBe(false);
  });
});

describe('streams', () => {
  test('a stream opens with the key and outlives the per-attempt timeout once headers arrive', async () => {
    provider.routes.set('/api/events', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(': keep-alive\n\n');
      setTimeout(
        () => response.end('event: media_generation_completed\ndata: {"status":"succeeded"}\n\n'),
        150,
      );
    });
    const { body, headers } = await client({ timeoutMs: 60 }).stream({
      path: '/api/events',
      signal: safety(),
    });
    expect(headers.get('content-type')).toBe('text/event-stream');
    const text = await new Response(body).text();
    expect(text).toContain('media_generation_completed');
    const [seen] = provider.requests;
    expect(seen!.headers.accept).toBe('text/event-stream');
    expect(seen!.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  test('a stream refused with 401 is an AuthenticationError', async () => {
    provider.routes.set('/api/events', (_request, response) =>
      json(response, 401, { error: { type: 'unauthenticated' } }),
    );
    const error = await failure(client().stream({ path: '/api/events' }));
    expect(AuthenticationError.isInstance(error)).toBe(true);
  });

  test('a stream whose headers never come times out', async () => {
    provider.routes.set('/api/events', () => {});
    const error = await failure(client({ timeoutMs: 60 }).stream({ path: '/api/events', signal: safety() }));
    expect(TimeoutError.isInstance(error)).toBe(true);
  });
});

describe('the key never leaks', () => {
  /** Every string a user could see or log for a thrown value. */
  function everything(error: unknown): string {
    const parts: string[] = [String(error), inspect(error, { depth: 20, showHidden: true })];
    let current: unknown = error;
    for (let depth = 0; current !== undefined && current !== null && depth < 20; depth++) {
      if (current instanceof Error) {
        parts.push(current.message, String(current), current.stack ?? '', JSON.stringify(current) ?? '');
        for (const value of Object.values(current))
          parts.push(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
        current = current.cause;
      } else {
        parts.push(typeof current === 'string' ? current : (JSON.stringify(current) ?? ''));
        current = undefined;
      }
    }
    return parts.join('\n');
  }

  test('a server echoing the key in its body and headers', async () => {
    for (const status of [400, 401, 402, 403, 429, 500, 503]) {
      provider.routes.set('/echo', (request, response) =>
        json(
          response,
          status,
          {
            detail: `got ${request.headers.authorization}`,
            headers: request.headers,
            key: API_KEY,
            nested: { a: [{ b: API_KEY }] },
          },
          { 'x-request-id': API_KEY, 'x-echo-authorization': request.headers.authorization ?? '' },
        ),
      );
      await failure(client().request({ method: 'POST', path: '/echo', json: { apiKey: API_KEY } }));
      await failure(client().download(`${provider.url}/echo`));
    }
  });

  test('no error produced in this file contains the key anywhere', () => {
    expect(produced.length).toBeGreaterThan(50);
    for (const error of produced) {
      const text = everything(error);
      expect(text, `${String(error)}`).not.toContain(API_KEY);
    }
  });
});
