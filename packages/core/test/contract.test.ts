import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as core from '@retouch/core';
import { type EditResult, InvalidResponseError, RetouchError, roundUsd, sumCosts } from '@retouch/core';
import * as kit from '@retouch/core/provider-utils';
import {
  createGeneratedImage,
  createHttpClient,
  extensionFor,
  loadApiKey,
  mediaTypeForFormat,
  redact,
} from '@retouch/core/provider-utils';
import * as schemas from '@retouch/core/schemas';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';

const tinyPngPath = fileURLToPath(new URL('./__fixtures__/tiny.png', import.meta.url));
let tinyPng: Buffer;

test('the public surface exports the contract, the errors and the helpers adapters use', () => {
  // What an application uses.
  const names = [
    'createRetouch',
    'checkLaneLimits',
    'parseModelId',
    'PROVIDER_ID',
    'MODEL_ID',
    'roundUsd',
    'sumCosts',
    'RetouchError',
    'InvalidRequestError',
    'ApiCallError',
    'AuthenticationError',
    'RateLimitError',
    'InsufficientCreditsError',
    'GenerationFailedError',
    'JobCancelledError',
    'TimeoutError',
    'BudgetExceededError',
    'UnsupportedFeatureError',
    'InvalidResponseError',
  ];
  // The adapter kit, an entry of its own: an application never needs it.
  const adapterKit = [
    'normalizeEditRequest',
    'normalizeImageInput',
    'imageToBlob',
    'createHttpClient',
    'createGeneratedImage',
    'loadApiKey',
    'lazyModule',
    'lazySchema',
    'parseRetryAfter',
    'backoffDelay',
  ];
  for (const name of adapterKit) {
    expect(kit, name).toHaveProperty(name);
    expect(core, name).not.toHaveProperty(name);
  }
  // The dispatcher's internals are exported by neither.
  for (const name of ['RateController', 'Lane', 'decideRetry']) {
    expect(core, name).not.toHaveProperty(name);
    expect(kit, name).not.toHaveProperty(name);
  }
  for (const name of names) expect(core, name).toHaveProperty(name);
  // The zod schemas are an entry of their own, so importing core does not load zod.
  for (const name of [
    'editRequestSchema',
    'editResultSchema',
    'editWarningSchema',
    'costSchema',
    'editJobSnapshotSchema',
    'laneLimitsSchema',
    'checkEditOption',
  ]) {
    expect(schemas, name).toHaveProperty(name);
    expect(core, name).not.toHaveProperty(name);
  }
  // Internal helpers stay internal.
  expect(core).not.toHaveProperty('toRequestIssues');
  expect(core).not.toHaveProperty('sanitizeCause');
  expect(core).not.toHaveProperty('unsafeUrlReason');
});

describe('loadApiKey', () => {
  const variable = 'RETOUCH_CONTRACT_TEST_KEY';
  const options = { environmentVariable: variable, description: 'Oxen.ai', factory: 'createOxen' };

  test('an explicit key wins over the environment, and both are trimmed and registered for redaction', () => {
    process.env[variable] = '  env-key-0123456789  ';
    try {
      expect(loadApiKey({ ...options, apiKey: ' option-key-0123456789 ' })).toBe('option-key-0123456789');
      expect(loadApiKey({ ...options, apiKey: undefined })).toBe('env-key-0123456789');
      expect(redact('option-key-0123456789 and env-key-0123456789')).toBe('[REDACTED] and [REDACTED]');
    } finally {
      delete process.env[variable];
    }
  });

  test('a missing or blank key throws before any call, naming the variable and the option', () => {
    for (const apiKey of [undefined, '', '   ']) {
      let thrown: unknown;
      try {
        loadApiKey({ ...options, apiKey });
      } catch (error) {
        thrown = error;
      }
      expect(RetouchError.isInstance(thrown)).toBe(true);
      expect((thrown as Error).message).toBe(
        `Oxen.ai API key is missing: set the ${variable} environment variable or pass { apiKey } to createOxen().`,
      );
    }
  });
});

describe('cost', () => {
  test('sums are reported only when every part is, and free of floating-point noise', () => {
    expect(sumCosts([])).toBeUndefined();
    expect(sumCosts([undefined])).toBeUndefined();
    expect(
      sumCosts([
        { usd: 0.1, source: 'reported' },
        { usd: 0.2, source: 'reported' },
      ]),
    ).toEqual({
      usd: 0.3,
      source: 'reported',
    });
    expect(
      sumCosts([
        { usd: 0.1, source: 'reported' },
        { usd: 0.2, source: 'estimated' },
      ])?.source,
    ).toBe('estimated');
    expect(sumCosts([{ usd: 0.1, source: 'reported' }, undefined])).toEqual({
      usd: 0.1,
      source: 'estimated',
    });
    expect(roundUsd(0.010975 * 3)).toBe(0.032925);
  });
});

describe('media types', () => {
  test('format names map to media types and back to extensions', () => {
    expect(mediaTypeForFormat('JPG')).toBe('image/jpeg');
    expect(mediaTypeForFormat('jpeg')).toBe('image/jpeg');
    expect(mediaTypeForFormat('webp')).toBe('image/webp');
    expect(mediaTypeForFormat('tiff')).toBeUndefined();
    expect(mediaTypeForFormat(undefined)).toBeUndefined();
    expect(extensionFor('image/jpeg')).toBe('jpg');
    expect(extensionFor('image/gif')).toBe('gif');
  });
});

describe('generated images', () => {
  let url: string;
  let hits = 0;
  /** How many of the next requests fail with a 500. */
  let failNext = 0;
  let server: ReturnType<typeof createServer>;

  beforeAll(async () => {
    tinyPng = await readFile(tinyPngPath);
    server = createServer((request, response) => {
      hits++;
      if (failNext > 0) {
        failNext--;
        response.writeHead(500).end('{"error":"try later"}');
        return;
      }
      if (request.url === '/stalls.png') {
        // Headers, then silence: only the caller's signal can end the wait.
        response.writeHead(200, { 'content-type': 'image/png' });
        response.write(tinyPng.subarray(0, 8));
        return;
      }
      if (request.url === '/not-an-image') {
        response.writeHead(200, { 'content-type': 'image/png' }).end('<html>login</html>');
        return;
      }
      response.writeHead(200, { 'content-type': 'image/png' }).end(tinyPng);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const http = () => createHttpClient({ provider: 'oxen', baseURL: url, apiKey: 'generated-image-key-0123' });

  test('inline base64 is checked up front and its media type sniffed', async () => {
    const image = createGeneratedImage({
      provider: 'edenai',
      base64: tinyPng.toString('base64'),
      mediaType: 'image/jpeg',
    });
    expect(image.mediaType).toBe('image/png');
    expect(Buffer.from(await image.bytes()).equals(tinyPng)).toBe(true);
    expect(JSON.parse(JSON.stringify(image))).toEqual({
      base64: tinyPng.toString('base64'),
      mediaType: 'image/png',
    });
    expect(() =>
      createGeneratedImage({ provider: 'edenai', base64: Buffer.from('not an image').toString('base64') }),
    ).toThrow(InvalidResponseError);
  });

  test('a URL is downloaded once and cached; a failed download is retried on the next call', async () => {
    hits = 0;
    const image = createGeneratedImage({ provider: 'oxen', url: `${url}/result.webp?sig=1`, http: http() });
    expect(image.mediaType).toBe('image/webp');
    // The transport sends a download twice more after a 500; the third 500 fails the call.
    failNext = 3;
    await expect(image.bytes()).rejects.toMatchObject({ name: 'ApiCallError', statusCode: 500 });
    expect(hits).toBe(3);
    const [first, second] = await Promise.all([image.bytes(), image.bytes()]);
    expect(Buffer.from(first).equals(tinyPng)).toBe(true);
    expect(second).toBe(first);
    expect(hits).toBe(4);
    // One 500 is absorbed by the transport's resend.
    hits = 0;
    failNext = 1;
    const fresh = createGeneratedImage({ provider: 'oxen', url: `${url}/result.webp?sig=2`, http: http() });
    expect(Buffer.from(await fresh.bytes()).equals(tinyPng)).toBe(true);
    expect(hits).toBe(2);
    expect(JSON.parse(JSON.stringify(image))).toEqual({
      url: `${url}/result.webp?sig=1`,
      mediaType: 'image/webp',
    });
  });

  test("bytes() ends with its signal's reason when the host stops answering, and can be called again", async () => {
    const image = createGeneratedImage({ provider: 'oxen', url: `${url}/stalls.png`, http: http() });
    const reason = new Error('gave up waiting');
    const controller = new AbortController();
    const reading = image.bytes({ signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await expect(reading).rejects.toBe(reason);
    await expect(image.bytes({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    // The stalled download was stopped with the signal, so the next call starts afresh: its request
    // reaches the host (awaited, not timed: a loaded machine may take longer than any fixed delay).
    hits = 0;
    const again = new AbortController();
    const second = image.bytes({ signal: again.signal });
    await vi.waitFor(() => expect(hits).toBe(1));
    again.abort(reason);
    await expect(second).rejects.toBe(reason);
    expect(hits).toBe(1);
  });

  test('a URL that does not serve an image is an InvalidResponseError', async () => {
    const image = createGeneratedImage({ provider: 'oxen', url: `${url}/not-an-image`, http: http() });
    expect(image.mediaType).toBe('image/png');
    await expect(image.bytes()).rejects.toSatisfy(InvalidResponseError.isInstance);
  });

  test('an unparsable result URL fails as an InvalidResponseError when read, not when built', async () => {
    const image = createGeneratedImage({ provider: 'oxen', url: 'http://[not-a-host/x.png', http: http() });
    expect(image.mediaType).toBe('image/png');
    await expect(image.bytes()).rejects.toSatisfy(InvalidResponseError.isInstance);
  });

  test('an image with neither bytes nor a reachable URL says so', async () => {
    await expect(createGeneratedImage({ provider: 'oxen', url: `${url}/x.png` }).bytes()).rejects.toThrow(
      /neither bytes nor a URL/,
    );
  });

  test('a serialized result matches editResultSchema', async () => {
    const result: EditResult = {
      images: [createGeneratedImage({ provider: 'edenai', base64: tinyPng.toString('base64') })],
      provider: 'edenai',
      model: 'edenai:openai/gpt-image-2',
      cost: { usd: 0.010975, source: 'reported' },
      warnings: [
        { type: 'unsupported-option', option: 'seed', message: 'seed is not supported by this model' },
      ],
      timings: { queuedMs: 1, runningMs: 2, totalMs: 3 },
      upstreamProvider: 'openai',
      raw: { data: [] },
    };
    const parsed = schemas.editResultSchema.parse(JSON.parse(JSON.stringify(result)));
    expect(parsed.images).toEqual([{ base64: tinyPng.toString('base64'), mediaType: 'image/png' }]);
    expect(parsed.cost).toEqual({ usd: 0.010975, source: 'reported' });
  });
});
