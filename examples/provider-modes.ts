/**
 * The same edit through each way a provider can run it: Oxen's three modes (sync, queue, sse) and
 * Eden AI's two transports (JSON with an uploaded file, multipart). The request, the result and the
 * cost are the same whichever is picked; what changes is how the edit travels.
 *
 * Run it against local simulators (no keys, no network): npx pnpm@10 example provider-modes
 */
import { fileURLToPath } from 'node:url';
import { createRetouch, type EditRequest, type ProviderAdapter } from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';

const baseURLs = { oxen: process.env.OXEN_BASE_URL, edenai: process.env.EDENAI_BASE_URL };

// #region oxen-modes
// sse (the default): enqueue, then learn of completion from one shared event stream.
const oxenEvents = createOxen({ baseURL: baseURLs.oxen });
// queue: enqueue, then poll the job's status (2 s, backing off to 10 s).
const oxenPolling = createOxen({ baseURL: baseURLs.oxen, mode: 'queue', pollIntervalMs: 2_000 });
// sync: one request that answers when the model is done.
const oxenSync = createOxen({ baseURL: baseURLs.oxen, mode: 'sync' });
// #endregion oxen-modes

// #region edenai-transports
// auto (the default): multipart for local pictures, JSON when every input is a URL or an Eden file.
const edenaiAuto = createEdenAI({ baseURL: baseURLs.edenai });
// JSON with every local picture uploaded once (POST /v3/upload) and sent by file id.
const edenaiUploads = createEdenAI({ baseURL: baseURLs.edenai, transport: 'json', upload: 'always' });
// Multipart, local pictures streamed as file parts, never uploaded.
const edenaiMultipart = createEdenAI({ baseURL: baseURLs.edenai, transport: 'multipart', upload: 'never' });
// #endregion edenai-transports

const variants: [string, ProviderAdapter, string][] = [
  ['oxen, sse', oxenEvents, 'oxen:qwen-image-edit'],
  ['oxen, queue', oxenPolling, 'oxen:qwen-image-edit'],
  ['oxen, sync', oxenSync, 'oxen:qwen-image-edit'],
  // A model that takes Eden file ids (Gemini models get their pictures inline whatever the setting).
  ['edenai, auto', edenaiAuto, 'edenai:openai/gpt-image-1-mini'],
  ['edenai, json + upload', edenaiUploads, 'edenai:openai/gpt-image-1-mini'],
  ['edenai, multipart', edenaiMultipart, 'edenai:openai/gpt-image-1-mini'],
];
const request: Omit<EditRequest, 'model'> = {
  prompt: 'Make it look like a winter morning',
  images: [{ path: fileURLToPath(new URL('./assets/photo.png', import.meta.url)) }],
};

for (const [label, provider, model] of variants) {
  // One client per variant: a client takes one adapter per provider id.
  const retouch = createRetouch({ providers: [provider] });
  const result = await retouch.edit({ ...request, model });
  console.log(
    `${label.padEnd(22)}${result.images.length} image, $${result.cost?.usd.toFixed(4)} (${result.cost?.source}), ${result.timings.totalMs} ms`,
  );
  await retouch.close();
}
