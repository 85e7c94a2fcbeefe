import { createRetouch, type EditRequest, InvalidRequestError } from '@retouch/core';
import { type EdenAISimulator, type RecordedMultipartBody, startEdenAISimulator } from '@retouch/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createEdenAI } from '../src/index.ts';
import { editWith, pngBytes, requestsTo } from './helpers.ts';

const EDITS = 'POST /v3/images/edits';
const UPLOAD = 'POST /v3/upload';

let sim: EdenAISimulator;
beforeAll(async () => {
  sim = await startEdenAISimulator({ rateLimit: false });
});
afterAll(() => sim.close());
beforeEach(() => sim.clearRequests());

// A model that takes Eden file ids (Gemini does not: edenai-gemini.test.ts).
const edit = (prompt: string, picture: Uint8Array, edenai?: Record<string, unknown>): EditRequest => ({
  model: 'edenai:bfl/flux-kontext-pro',
  prompt,
  images: [picture],
  ...(edenai ? { providerOptions: { edenai } } : {}),
});

/** The edit request the simulator received for one prompt. */
function editFor(prompt: string) {
  return requestsTo(sim, EDITS).find((request) => {
    const body = request.body as { prompt?: unknown; fields?: { prompt?: unknown } };
    return body.prompt === prompt || body.fields?.prompt === prompt;
  })!;
}

describe('providerOptions.edenai.transport and upload', () => {
  test('one provider sends each request the way it asks, and never forwards the two keys', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'multipart' });
    const retouch = createRetouch({ providers: [provider] });
    await Promise.all([
      retouch.edit(edit('by file id', pngBytes({ width: 5 }), { transport: 'json', upload: 'always' })),
      retouch.edit(edit('inline json', pngBytes({ width: 6 }), { transport: 'json', upload: 'never' })),
      retouch.edit(edit('provider default', pngBytes({ width: 7 }), { user: 'user-7' })),
    ]);
    await retouch.close();

    const byFileId = editFor('by file id');
    expect(byFileId.headers['content-type']).toBe('application/json');
    expect(byFileId.body).toEqual({
      model: 'bfl/flux-kontext-pro',
      prompt: 'by file id',
      images: [{ file_id: expect.any(String) }],
    });
    expect(requestsTo(sim, UPLOAD)).toHaveLength(1);

    const inline = editFor('inline json');
    expect(inline.headers['content-type']).toBe('application/json');
    expect((inline.body as { images: { image_url: string }[] }).images[0]!.image_url).toMatch(
      /^data:image\/png;base64,/,
    );

    const multipart = editFor('provider default');
    expect(multipart.headers['content-type']).toContain('multipart/form-data');
    expect((multipart.body as RecordedMultipartBody).fields).toEqual({
      model: 'bfl/flux-kontext-pro',
      prompt: 'provider default',
      user: 'user-7',
    });
  });

  test('the adapter alone honours them: a multipart part when the provider would send JSON', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'json' });
    await editWith(provider, edit('streamed', pngBytes({ width: 8 }), { transport: 'multipart' }));
    const sent = editFor('streamed');
    expect(sent.headers['content-type']).toContain('multipart/form-data');
    expect((sent.body as RecordedMultipartBody).fields).not.toHaveProperty('transport');
  });

  test('upload "always" with transport "multipart" is refused before any call, naming the field to change', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, upload: 'always' });
    const retouch = createRetouch({ providers: [provider] });
    const error = await retouch
      .edit(edit('conflict', pngBytes({ width: 9 }), { transport: 'multipart' }))
      .catch((caught: unknown) => caught);
    expect(InvalidRequestError.isInstance(error)).toBe(true);
    expect((error as InvalidRequestError).issues).toEqual([
      {
        path: 'providerOptions.edenai.transport',
        message: expect.stringMatching(
          /upload "always" \(the provider's\).*transport is "multipart" \(this request's\); set providerOptions\.edenai\.transport to "json" or "auto"/,
        ),
      },
    ]);
    expect(sim.requests).toEqual([]);
    // Overriding both is fine: the request's own upload wins.
    await retouch.edit(
      edit('no upload', pngBytes({ width: 9 }), { transport: 'multipart', upload: 'never' }),
    );
    expect(requestsTo(sim, UPLOAD)).toEqual([]);
    expect(editFor('no upload').headers['content-type']).toContain('multipart/form-data');
    await retouch.close();
  });

  test('a value that is not a transport or an upload mode is refused before any call', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    const retouch = createRetouch({ providers: [provider] });
    const error = await retouch
      .edit(edit('bad', pngBytes(), { transport: 'xml', upload: true }))
      .catch((caught: unknown) => caught);
    expect((error as InvalidRequestError).issues).toEqual([
      {
        path: 'providerOptions.edenai.transport',
        message: expect.stringContaining('transport must be "auto", "json" or "multipart", not "xml"'),
      },
      {
        path: 'providerOptions.edenai.upload',
        message: expect.stringContaining('upload must be "never", "auto" or "always", not true'),
      },
    ]);
    expect(sim.requests).toEqual([]);
    await retouch.close();
  });
});
