/**
 * Hostile responses: a provider (or something posing as one) that sends too much, points result URLs
 * at local files or cloud metadata, redirects to other hosts, floods its event stream or sends images
 * that are not images. Each must end in a typed error or a clean recovery, never a crash, an unbounded
 * buffer, or a key sent where it does not belong.
 */
import type { ServerResponse } from 'node:http';
import {
  ApiCallError,
  createRetouch,
  type EditResult,
  InvalidResponseError,
  type ProviderAdapter,
} from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen, type OxenProviderSettings } from '@retouch/provider-oxen';
import {
  type EdenAISimulator,
  type OxenSimulator,
  startEdenAISimulator,
  startOxenSimulator,
} from '@retouch/simulator';
import { afterEach, describe, expect, test } from 'vitest';
import { isPng, pngBytes } from './support/png.ts';
import { inspect, misdirectedCredentials, reportLeak, secretKey } from './support/secrets.ts';
import { type HelperServer, startProxy, startServer } from './support/servers.ts';

const MIB = 1024 * 1024;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
function track<T extends { close?(): Promise<void> }>(value: T): T {
  cleanups.push(async () => value.close?.());
  return value;
}

async function oxenSimulator(): Promise<OxenSimulator> {
  return track(
    await startOxenSimulator({ apiKey: secretKey('oxen'), jobSchedule: { queuedMs: 5, processingMs: 30 } }),
  );
}

async function edenSimulator(): Promise<EdenAISimulator> {
  return track(await startEdenAISimulator({ apiKey: secretKey('edenai'), rateLimit: false }));
}

/**
 * An Eden AI simulator behind a proxy that swaps every output's URL for `resultUrl`, and a JSON adapter
 * pointed at the proxy: a provider answering with a result URL it should never have given.
 */
async function edenAnsweringWithResultUrl(
  resultUrl: string,
): Promise<{ sim: EdenAISimulator; adapter: ProviderAdapter }> {
  const sim = await edenSimulator();
  const proxy = track(
    await startProxy({
      target: sim.url,
      rewrite: (_request, json) => {
        const body = json as { data?: { url?: string }[] };
        for (const item of body.data ?? []) item.url = resultUrl;
        return body;
      },
    }),
  );
  const adapter = track(createEdenAI({ apiKey: sim.apiKey, baseURL: proxy.url, transport: 'json' }));
  return { sim, adapter };
}

function oxenAdapter(
  sim: OxenSimulator,
  baseURL: string,
  settings: OxenProviderSettings = {},
): ProviderAdapter {
  return track(
    createOxen({
      apiKey: sim.apiKey,
      baseURL,
      mode: 'sync',
      pollIntervalMs: 25,
      maxPollIntervalMs: 100,
      ...settings,
      events: {
        lingerMs: 50,
        reconnectDelayMs: 20,
        maxReconnectDelayMs: 100,
        reconcileIntervalMs: 300,
        ...settings.events,
      },
    }),
  );
}

/** Runs one edit through a fresh client and returns the result or the error, both inspected for keys. */
async function edit(
  adapter: ProviderAdapter,
  request: Parameters<ReturnType<typeof createRetouch>['edit']>[0],
): Promise<{ result?: EditResult; error?: unknown }> {
  const retouch = createRetouch({
    providers: [adapter],
    onProgress: (event) => inspect('hostile: progress event', event),
  });
  try {
    const result = await retouch.edit({ timeoutMs: 10_000, ...request });
    inspect('hostile: result', result);
    inspect('hostile: result JSON', JSON.parse(JSON.stringify(result)));
    return { result };
  } catch (error) {
    inspect('hostile: error', error);
    return { error };
  } finally {
    await retouch.close();
  }
}

async function bytesOf(result: EditResult | undefined): Promise<{ bytes?: Uint8Array; error?: unknown }> {
  try {
    return { bytes: await result!.images[0]!.bytes() };
  } catch (error) {
    inspect('hostile: bytes() error', error);
    return { error };
  }
}

/** Asserts that no request to a host other than the provider's carried a key. */
function expectNoCredentials(server: HelperServer, where: string): void {
  for (const request of server.requests) {
    if (request.headers.authorization !== undefined) {
      reportLeak(
        `${where}: ${request.method} ${request.path}`,
        'an Authorization header reached another host',
      );
    }
  }
  expect(server.requests.filter((request) => request.headers.authorization !== undefined)).toEqual([]);
}

/** Writes `chunk` until the client goes away; resolves with the bytes written. */
function writeForever(response: ServerResponse, chunk: Buffer): Promise<number> {
  return new Promise((resolve) => {
    let written = 0;
    let stopped = false;
    const stop = (): void => {
      stopped = true;
      resolve(written);
    };
    response.on('close', stop);
    const pump = (): void => {
      while (!stopped) {
        written += chunk.length;
        if (!response.write(chunk)) {
          response.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

const edenRequest = (model = 'google/gemini-2.5-flash-image') => ({
  model: `edenai:${model}`,
  prompt: 'make the sky purple',
  images: ['https://example.com/cat.png'],
});
const oxenRequest = {
  model: 'oxen:qwen-image-edit',
  prompt: 'make the sky purple',
  images: ['https://example.com/cat.png'],
};

describe('bodies larger than the cap', () => {
  test('a JSON answer that never ends is cut at the 64 MiB cap: InvalidResponseError, the read stops', async () => {
    const sim = await oxenSimulator();
    let written: Promise<number> | undefined;
    const proxy = track(
      await startProxy({
        target: sim.url,
        override: (request, response) => {
          if (request.method !== 'POST') return false;
          response.writeHead(200, { 'content-type': 'application/json' });
          response.write('{"images":[{"url":"');
          written = writeForever(response, Buffer.alloc(MIB, 'a'));
          return true;
        },
      }),
    );
    const { error } = await edit(oxenAdapter(sim, proxy.url), oxenRequest);
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/larger than the 67108864-byte cap/);
    // The client stopped reading at the cap: what the server managed to write is the cap plus socket buffers.
    expect(await written).toBeLessThan(64 * MIB + 32 * MIB);
  });

  test('a declared Content-Length over the cap is refused before the body is read', async () => {
    const sim = await oxenSimulator();
    const proxy = track(
      await startProxy({
        target: sim.url,
        override: (request, response) => {
          if (request.method !== 'POST') return false;
          response.writeHead(200, {
            'content-type': 'application/json',
            'content-length': String(512 * MIB),
          });
          response.write('{"images":');
          return true;
        },
      }),
    );
    const { error } = await edit(oxenAdapter(sim, proxy.url), oxenRequest);
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/larger than the 67108864-byte cap; it was not read/);
  });

  test('a result download that never ends is cut at the 100 MiB cap, and its host never sees the key', async () => {
    let written: Promise<number> | undefined;
    const other = track(
      await startServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'image/png' });
        written = writeForever(response, Buffer.alloc(MIB, 7));
      }),
    );
    const { sim, adapter } = await edenAnsweringWithResultUrl(`${other.url}/endless.png`);
    const { result } = await edit(adapter, edenRequest());
    const { error } = await bytesOf(result);
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/larger than the 104857600-byte cap/);
    expect(await written).toBeLessThan(100 * MIB + 32 * MIB);
    expectNoCredentials(other, 'endless download');
    expect(sim.billableCount).toBe(1);
  });
});

describe('result URLs that point somewhere they must not', () => {
  const targets = [
    ['a file: URL', 'file:///etc/passwd', /the file: scheme is not fetched/],
    [
      'the cloud metadata address',
      'http://169.254.169.254/latest/meta-data/iam/',
      /link-local \(cloud metadata\)/,
    ],
  ] as const;

  test.each(targets)('Eden AI: %s is never fetched; bytes() says why', async (_name, target, reason) => {
    const { adapter } = await edenAnsweringWithResultUrl(target);
    const { result } = await edit(adapter, edenRequest());
    const { error } = await bytesOf(result);
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(reason);
  });

  test.each(targets)(
    'Oxen queue, inline results: %s fails the edit with InvalidResponseError',
    async (_name, target, reason) => {
      const sim = await oxenSimulator();
      const proxy = track(
        await startProxy({
          target: sim.url,
          rewrite: (request, json) => {
            const row = json as { result_url?: string | null };
            if (request.url?.startsWith('/api/ai/queue/') && row.result_url) row.result_url = target;
            return row;
          },
        }),
      );
      const { error } = await edit(oxenAdapter(sim, proxy.url, { mode: 'queue' }), {
        ...oxenRequest,
        providerOptions: { oxen: { responseFormat: 'b64_json' } },
      });
      expect(InvalidResponseError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(reason);
      expect(sim.billableCount).toBe(1);
    },
  );
});

describe('redirects to another host', () => {
  test('a result URL on the provider redirecting elsewhere is followed without the key', async () => {
    const sim = await edenSimulator();
    const other = track(
      await startServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from(pngBytes()));
      }),
    );
    let providerOrigin = '';
    const proxy = track(
      await startProxy({
        target: sim.url,
        override: (request, response) => {
          if (!request.url?.startsWith('/moved/')) return false;
          response.writeHead(302, { location: `${other.url}/image.png` }).end();
          return true;
        },
        rewrite: (_request, json) => {
          const body = json as { data?: { url?: string }[] };
          for (const item of body.data ?? []) item.url = `${providerOrigin}/moved/result.png`;
          return body;
        },
      }),
    );
    providerOrigin = proxy.url;
    const adapter = track(createEdenAI({ apiKey: sim.apiKey, baseURL: proxy.url, transport: 'json' }));
    const { result } = await edit(adapter, edenRequest());
    expect(isPng((await bytesOf(result)).bytes!)).toBe(true);
    // The key went to the provider's origin and nowhere else.
    expect(
      proxy.requests.find((request) => request.path === '/moved/result.png')?.headers.authorization,
    ).toBe(`Bearer ${sim.apiKey}`);
    expect(other.requests).toHaveLength(1);
    expectNoCredentials(other, 'redirected download');
  });

  test('a billable POST redirected to another host is not re-sent there: ApiCallError, nothing billed', async () => {
    const sim = await oxenSimulator();
    const other = track(await startServer((_request, response) => void response.writeHead(200).end('{}')));
    const proxy = track(
      await startProxy({
        target: sim.url,
        override: (request, response) => {
          if (request.method !== 'POST') return false;
          response.writeHead(307, { location: `${other.url}/api/ai/images/edit` }).end();
          return true;
        },
      }),
    );
    const { error } = await edit(oxenAdapter(sim, proxy.url), oxenRequest);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/answered with a redirect, which is not followed/);
    expect(other.requests).toEqual([]);
    expect(sim.billableCount).toBe(0);
  });

  test('a catalogue read redirected to another host is followed without the key', async () => {
    const sim = await oxenSimulator();
    const other = track(
      await startServer((_request, response) => {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"gone"}}');
      }),
    );
    const proxy = track(
      await startProxy({
        target: sim.url,
        override: (request, response) => {
          if (!request.url?.startsWith('/api/ai/models/')) return false;
          response.writeHead(302, { location: `${other.url}${request.url}` }).end();
          return true;
        },
      }),
    );
    const { result } = await edit(oxenAdapter(sim, proxy.url), oxenRequest);
    // The model's schema could not be read, so the built-in table applied, and said so.
    expect(result!.warnings.some((warning) => /built-in table/.test(warning.message))).toBe(true);
    expect(other.requests.length).toBeGreaterThan(0);
    expectNoCredentials(other, 'redirected catalogue read');
    misdirectedCredentials('redirected catalogue read: simulator', sim.requests);
  });
});

describe('a hostile event stream', () => {
  test('a flood of unrelated events and other clients completions: the job still settles, from its status', async () => {
    const sim = await oxenSimulator();
    let events = 0;
    const proxy = track(
      await startProxy({
        target: sim.url,
        override: (request, response) => {
          if (request.url !== '/api/events') return false;
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          let stopped = false;
          response.on('close', () => {
            stopped = true;
          });
          const pump = (): void => {
            for (let batch = 0; batch < 200 && !stopped; batch++) {
              events += 2;
              response.write(
                `event: deployment_status\ndata: {"status":"scaling","replicas":${batch}}\n\n` +
                  `event: media_generation_completed\ndata: {"generation_id":"other-${events}","status":"succeeded","media_type":"image","url":"https://example.com/${events}.png"}\n\n`,
              );
            }
            if (!stopped) setImmediate(pump);
          };
          pump();
          return true;
        },
      }),
    );
    const heapBefore = process.memoryUsage().heapUsed;
    const { result, error } = await edit(oxenAdapter(sim, proxy.url, { mode: 'sse' }), oxenRequest);
    expect(error).toBeUndefined();
    expect(isPng((await bytesOf(result)).bytes!)).toBe(true);
    expect(events).toBeGreaterThan(1_000);
    // Completions of jobs it does not watch are kept for a minute at most, and never more than a thousand.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * MIB);
    expect(sim.billableCount).toBe(1);
  });

  test('a line that never ends is dropped at maxEventSize and the stream reopened; the job settles from its status', async () => {
    const sim = await oxenSimulator();
    const perConnection: Promise<number>[] = [];
    const proxy = track(
      await startProxy({
        target: sim.url,
        override: (request, response) => {
          if (request.url !== '/api/events') return false;
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write('data: ');
          perConnection.push(writeForever(response, Buffer.alloc(16 * 1024, 'x')));
          return true;
        },
      }),
    );
    const { result, error } = await edit(
      oxenAdapter(sim, proxy.url, { mode: 'sse', events: { maxEventSize: 64 * 1024 } }),
      oxenRequest,
    );
    expect(error).toBeUndefined();
    expect(isPng((await bytesOf(result)).bytes!)).toBe(true);
    await proxy.close();
    const written = await Promise.all(perConnection);
    expect(written.length).toBeGreaterThanOrEqual(1);
    // Each connection was dropped soon after the cap: the buffer never grew without bound.
    for (const bytes of written) expect(bytes).toBeLessThan(64 * 1024 + 16 * MIB);
  });
});

describe('images that are not images', () => {
  test('Eden AI: a b64_json that does not decode to an image is an InvalidResponseError, not bytes', async () => {
    const sim = await edenSimulator();
    const proxy = track(
      await startProxy({
        target: sim.url,
        rewrite: (_request, json) => {
          const body = json as { data?: { b64_json?: string | null }[] };
          for (const item of body.data ?? [])
            item.b64_json = Buffer.from('<html>not an image</html>').toString('base64');
          return body;
        },
      }),
    );
    const adapter = track(
      createEdenAI({ apiKey: sim.apiKey, baseURL: proxy.url, transport: 'json', upload: 'never' }),
    );
    const { error } = await edit(adapter, {
      ...edenRequest('openai/gpt-image-1-mini'),
      images: [pngBytes()],
    });
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/does not decode to a PNG, JPEG, WebP or GIF image/);
    expect(sim.billableCount).toBe(1);
  });

  test('Oxen sync: a b64_json that is not an image is an InvalidResponseError', async () => {
    const sim = await oxenSimulator();
    const proxy = track(
      await startProxy({
        target: sim.url,
        rewrite: (_request, json) => {
          const body = json as { images?: { b64_json?: string }[] };
          for (const item of body.images ?? [])
            item.b64_json = Buffer.from('GIF87 but not really').toString('base64');
          return body;
        },
      }),
    );
    const { error } = await edit(oxenAdapter(sim, proxy.url), {
      ...oxenRequest,
      providerOptions: { oxen: { responseFormat: 'b64_json' } },
    });
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect(sim.billableCount).toBe(1);
  });

  test('a result URL that serves HTML instead of an image: bytes() refuses it', async () => {
    const other = track(
      await startServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'image/png' }).end('<html>login required</html>');
      }),
    );
    const { adapter } = await edenAnsweringWithResultUrl(`${other.url}/result.png`);
    const { result } = await edit(adapter, edenRequest());
    const { error } = await bytesOf(result);
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/did not serve an image/);
    expectNoCredentials(other, 'HTML result');
  });
});

describe('a provider that echoes the key back', () => {
  test('in an error body: the error, its JSON and its cause never show it', async () => {
    const sim = await oxenSimulator();
    const proxy = track(
      await startProxy({
        target: sim.url,
        override: (request, response) => {
          if (request.method !== 'POST') return false;
          const key = String(request.headers.authorization).replace(/^Bearer /, '');
          response.writeHead(400, { 'content-type': 'application/json', 'x-request-id': key }).end(
            JSON.stringify({
              error: {
                type: 'invalid_params',
                title: `key ${key} rejected`,
                detail: `Authorization: Bearer ${key}`,
              },
              echo: { api_key: key, nested: [{ value: key }] },
            }),
          );
          return true;
        },
      }),
    );
    const { error } = await edit(oxenAdapter(sim, proxy.url), oxenRequest);
    expect(ApiCallError.isInstance(error)).toBe(true);
    const visible = [
      (error as Error).message,
      JSON.stringify(error),
      String((error as Error).stack),
      JSON.stringify((error as ApiCallError).responseBody),
      String((error as ApiCallError).requestId),
    ].join('\n');
    expect(visible).not.toContain(sim.apiKey);
    expect(visible).toContain('[REDACTED]');
  });

  test('in a successful answer: the result and its raw payload never show it', async () => {
    const sim = await edenSimulator();
    const proxy = track(
      await startProxy({
        target: sim.url,
        rewrite: (request, json) => ({
          ...(json as object),
          debug: {
            authorization: request.headers.authorization,
            note: `sent with ${request.headers.authorization}`,
          },
        }),
      }),
    );
    const adapter = track(createEdenAI({ apiKey: sim.apiKey, baseURL: proxy.url, transport: 'json' }));
    const { result } = await edit(adapter, edenRequest());
    expect(JSON.stringify(result)).not.toContain(sim.apiKey);
    expect(JSON.stringify(result!.raw)).toContain('[REDACTED]');
  });
});
