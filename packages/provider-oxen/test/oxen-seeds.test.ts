import type { EditRequest } from '@retouch/core';
import { describe, expect, test } from 'vitest';
import { bodies, client, provider, received, simulator } from './helpers.ts';

/*
 * The request bodies of the examples in Oxen's documentation: the "Image Editing" reference
 * (basic and multi-image edits) and the model pages of gpt-image-2 and qwen-image-edit
 * ("Minimal" and "All parameters", identical for the sync, async and async-with-SSE tabs).
 * Each is what the adapter must send for the equivalent neutral request, key for key and in order.
 * Seed 002 documented `gpt-image-2-edit`, whose page Oxen removed in July 2026; its examples are
 * replayed on `gpt-image-2`, with the "All parameters" body of the current gpt-image-2 page
 * (2026-08-08): tiers `1K`/`2K`/`4K` for `resolution` and an `aspect_ratio`.
 */
const MOON =
  'Place the subject on the surface of the moon with Earth rising in the background, photorealistic, cinematic lighting.';
const BLOXY_CROPPED = 'https://hub.oxen.ai/api/repos/elau/assets/file/main/bloxy/bloxy_cropped_512x512.png';
const BLOXY_WHITE =
  'https://hub.oxen.ai/api/repos/ox/Oxen-Character-Simple-Vector-Graphic/file/main/images/reference/bloxy_white_bg.png';

const examples: { name: string; request: EditRequest; body: string }[] = [
  {
    name: 'image editing reference: basic edit',
    request: {
      model: 'oxen:qwen-image-edit',
      prompt: 'Make the background blue',
      images: ['https://example.com/my-photo.jpg'],
    },
    body: '{"model":"qwen-image-edit","prompt":"Make the background blue","input_image":"https://example.com/my-photo.jpg"}',
  },
  {
    name: 'image editing reference: multi-image input',
    request: {
      model: 'oxen:gpt-image-2',
      prompt: 'Combine these references into a single scene',
      images: ['https://example.com/reference-a.png', 'https://example.com/reference-b.png'],
    },
    body: '{"model":"gpt-image-2","prompt":"Combine these references into a single scene","input_image":["https://example.com/reference-a.png","https://example.com/reference-b.png"]}',
  },
  {
    name: 'gpt-image-2: minimal',
    request: { model: 'oxen:gpt-image-2', prompt: MOON, images: [BLOXY_CROPPED] },
    body: `{"model":"gpt-image-2","prompt":"${MOON}","input_image":["${BLOXY_CROPPED}"]}`,
  },
  {
    name: 'gpt-image-2: all parameters',
    request: {
      model: 'oxen:gpt-image-2',
      prompt: MOON,
      images: [BLOXY_CROPPED],
      aspectRatio: '16:9',
      quality: 'high',
      outputFormat: 'png',
      // A tier is no neutral size: the model's own parameter carries it.
      providerOptions: { oxen: { resolution: '2K' } },
    },
    body: `{"model":"gpt-image-2","prompt":"${MOON}","input_image":["${BLOXY_CROPPED}"],"aspect_ratio":"16:9","quality":"high","output_format":"png","resolution":"2K"}`,
  },
  {
    name: 'qwen-image-edit: minimal',
    request: { model: 'oxen:qwen-image-edit', prompt: 'Add a funny hat', images: [BLOXY_WHITE] },
    body: `{"model":"qwen-image-edit","prompt":"Add a funny hat","input_image":"${BLOXY_WHITE}"}`,
  },
  {
    name: 'qwen-image-edit: all parameters',
    request: {
      model: 'oxen:qwen-image-edit',
      prompt: 'Add a funny hat',
      images: [BLOXY_WHITE],
      aspectRatio: '16:9',
    },
    body: `{"model":"qwen-image-edit","prompt":"Add a funny hat","input_image":"${BLOXY_WHITE}","aspect_ratio":"16:9"}`,
  },
];

describe('the documented examples go over the wire exactly as documented', () => {
  test.each(examples)('sync: $name', async ({ request, body }) => {
    const sim = await simulator();
    const result = await client(provider(sim, { mode: 'sync' })).edit(request);
    expect(result.warnings).toEqual([]);
    const [sent] = received(sim, 'POST /api/ai/images/edit');
    expect(JSON.stringify(sent!.body)).toBe(body);
    expect(sent!.headers['content-type']).toMatch(/^application\/json/);
    expect(sent!.headers.authorization).toBe('Bearer [REDACTED]');
    expect(sent!.authenticated).toBe(true);
  });

  test.each(examples)('queue: $name', async ({ request, body }) => {
    const sim = await simulator();
    await client(provider(sim, { mode: 'queue' })).edit(request);
    expect(bodies(sim, 'POST /api/ai/queue').map((sent) => JSON.stringify(sent))).toEqual([body]);
    expect(received(sim, 'GET /api/ai/queue/:id').length).toBeGreaterThan(0);
  });

  test.each(examples)('sse: $name, subscribed before the enqueue', async ({ request, body }) => {
    const sim = await simulator();
    await client(provider(sim, { mode: 'sse' })).edit(request);
    const [enqueue] = received(sim, 'POST /api/ai/queue');
    const [events] = received(sim, 'GET /api/events');
    expect(JSON.stringify(enqueue!.body)).toBe(body);
    expect(events!.sequence).toBeLessThan(enqueue!.sequence);
  });
});
