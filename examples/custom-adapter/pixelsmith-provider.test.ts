/**
 * The adapter's own tests: a real local server, assertions on what went over the wire and on what
 * the user receives. Run them: npx pnpm@10 test:examples
 */
import { AuthenticationError, createRetouch, UnsupportedFeatureError } from '@retouch/core';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createPixelsmith } from './pixelsmith-provider.ts';
import { type PixelsmithServer, startPixelsmithServer } from './pixelsmith-server.ts';

const photo = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);
let server: PixelsmithServer;

beforeAll(async () => {
  server = await startPixelsmithServer({ apiKey: 'test-key' });
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

// #region wire
it('sends the prompt, the picture as a data URL and the aspect ratio, and returns the PNG', async () => {
  const retouch = createRetouch({
    providers: [createPixelsmith({ baseURL: server.url, apiKey: 'test-key' })],
  });
  const result = await retouch.edit({
    model: 'pixelsmith:sketch-1',
    prompt: 'A pencil sketch',
    images: [photo],
    aspectRatio: '9:16',
  });
  await retouch.close();

  const edit = server.requests.find((request) => request.path === '/v1/edits');
  expect(edit?.body).toEqual({
    model: 'sketch-1',
    prompt: 'A pencil sketch',
    image: `data:image/png;base64,${photo.toString('base64')}`,
    aspect_ratio: '9:16',
  });
  expect(Buffer.from(await result.images[0]!.bytes())).toEqual(photo);
  expect(result.cost).toEqual({ usd: 0.012, source: 'reported' });
  expect(result.warnings).toEqual([]);
});
// #endregion wire

it('refuses an unsupported option before anything is sent, in strict mode', async () => {
  const pixelsmith = createPixelsmith({ baseURL: server.url, apiKey: 'test-key' });
  const retouch = createRetouch({ providers: [pixelsmith], strict: true });
  const error = await retouch
    .edit({ model: 'pixelsmith:sketch-1', prompt: 'A pencil sketch', images: [photo], seed: 1 })
    .catch((caught: unknown) => caught);
  await retouch.close();

  expect(UnsupportedFeatureError.isInstance(error) && error.feature).toBe('seed');
  expect((error as Error).message).toMatch(/^pixelsmith:sketch-1 cannot honour "seed" exactly: /);
  expect(server.requests.filter((request) => request.path === '/v1/edits')).toEqual([]);
});

it('turns a rejected key into an AuthenticationError that names the variable, without the key', async () => {
  const retouch = createRetouch({
    providers: [createPixelsmith({ baseURL: server.url, apiKey: 'wrong-key-123' })],
  });
  const error = await retouch
    .edit({ model: 'pixelsmith:sketch-1', prompt: 'A pencil sketch', images: [photo] })
    .catch((caught: unknown) => caught);
  await retouch.close();

  expect(AuthenticationError.isInstance(error)).toBe(true);
  expect(String((error as Error).message)).toContain('PIXELSMITH_API_KEY');
  expect(JSON.stringify(error)).not.toContain('wrong-key-123');
});
