// Plain Node ESM, no TypeScript, no workspace: imports @retouch/core as installed from its tarball.
import { createServer } from 'node:http';
import {
  ApiCallError,
  createHttpClient,
  InvalidRequestError,
  normalizeEditRequest,
  RetouchError,
} from '@retouch/core';

// The 1x1 PNG every check below edits.
const png = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
    'base64',
  ),
);

const normalized = await normalizeEditRequest({
  model: 'oxen:qwen-image-edit',
  prompt: 'make the sky purple',
  images: [png],
});
if (normalized.provider !== 'oxen' || normalized.images[0]?.kind !== 'bytes') {
  throw new Error(`unexpected normalized request: ${JSON.stringify(normalized)}`);
}

try {
  await normalizeEditRequest({
    model: 'oxen:qwen-image-edit',
    prompt: 'x',
    images: [png],
    aspect_ratio: '1:1',
  });
  throw new Error('a misspelled option was accepted');
} catch (error) {
  if (!InvalidRequestError.isInstance(error) || !RetouchError.isInstance(error)) throw error;
  if (!error.message.includes('aspectRatio')) throw new Error(`no fix suggested: ${error.message}`);
}

// A real HTTP round trip through the packaged client (ky and zod come from the npm registry).
const server = createServer((request, response) => {
  const status = request.url === '/missing' ? 404 : 200;
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(status === 200 ? { ok: true } : { error: { message: 'Not Found' } }));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
try {
  const http = createHttpClient({
    provider: 'local',
    baseURL: `http://127.0.0.1:${port}`,
    apiKey: 'local-key-123',
  });
  const { data } = await http.request({ method: 'GET', path: '/ok' });
  if (data?.ok !== true) throw new Error(`unexpected body ${JSON.stringify(data)}`);
  const failure = await http.request({ method: 'GET', path: '/missing' }).catch((error) => error);
  if (!ApiCallError.isInstance(failure) || failure.statusCode !== 404) throw failure;
} finally {
  server.close();
}

console.log(`consumer (ESM): @retouch/core validated ${normalized.model} and called a local API`);
