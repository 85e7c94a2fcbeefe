import { type EdenAISimulator, type RecordedMultipartBody, startEdenAISimulator } from '@retouch/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createEdenAI } from '../src/index.ts';
import { editWith, largePng, pngBytes, requestsTo } from './helpers.ts';

/*
 * Gemini behind Eden: Eden's own Gemini edit example sends "size": "1024x1024", and only Vertex
 * Imagen is documented to take ratio strings in `size`; a file_id edit on a Gemini model has been
 * reported refused, so pictures travel as data: URLs or multipart parts.
 */

const EDITS = 'POST /v3/images/edits';
const UPLOAD = 'POST /v3/upload';
const GEMINI = 'edenai:google/gemini-2.5-flash-image';

let sim: EdenAISimulator;
beforeAll(async () => {
  sim = await startEdenAISimulator({ rateLimit: false });
});
afterAll(() => sim.close());
beforeEach(() => sim.clearRequests());

describe('Gemini sizes', () => {
  test('size "1024x1024" reaches Eden as given, on both transports', async () => {
    for (const transport of ['json', 'multipart'] as const) {
      sim.clearRequests();
      const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport });
      const output = await editWith(provider, {
        model: GEMINI,
        prompt: 'x',
        images: [pngBytes()],
        size: '1024x1024',
      });
      const body = requestsTo(sim, EDITS)[0]!.body as Record<string, unknown>;
      const size = transport === 'json' ? body.size : (body as unknown as RecordedMultipartBody).fields.size;
      expect(size).toBe('1024x1024');
      expect(output.warnings).toEqual([]);
    }
  });

  test('Vertex Imagen still takes the aspect ratio in size', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'json' });
    await editWith(provider, {
      model: 'edenai:google/imagen-3.0-capability-001',
      prompt: 'x',
      images: ['https://images.example.com/a.png'],
      aspectRatio: '16:9',
    }).catch(() => undefined);
    expect((requestsTo(sim, EDITS)[0]!.body as Record<string, unknown>).size).toBe('16:9');
  });
});

describe('Gemini inputs travel inline, not by file_id', () => {
  test('upload "always": no upload, the picture goes in the request, with a warning', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, upload: 'always' });
    const output = await editWith(provider, { model: GEMINI, prompt: 'x', images: [largePng()] });
    expect(requestsTo(sim, UPLOAD)).toEqual([]);
    const [edit] = requestsTo(sim, EDITS);
    expect(edit!.headers['content-type']).toMatch(/^multipart\/form-data/);
    expect(output.warnings).toContainEqual({
      type: 'other',
      message: expect.stringMatching(
        /^upload "always" was not applied: Eden has reported file_id edits failing on google\/gemini-2\.5-flash-image/,
      ),
    });
  });

  test('transport "json" with uploads on: a data: URL, never a file_id', async () => {
    const provider = createEdenAI({
      apiKey: sim.apiKey,
      baseURL: sim.url,
      transport: 'json',
      upload: 'auto',
    });
    const picture = largePng();
    await editWith(provider, { model: GEMINI, prompt: 'x', images: [picture] });
    await editWith(provider, { model: GEMINI, prompt: 'again', images: [picture] });
    expect(requestsTo(sim, UPLOAD)).toEqual([]);
    for (const edit of requestsTo(sim, EDITS)) {
      expect((edit.body as { images: { image_url?: string }[] }).images[0]!.image_url).toMatch(
        /^data:image\/png;base64,/,
      );
    }
  });

  test('other models still upload', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, upload: 'always' });
    await editWith(provider, {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'x',
      images: [pngBytes({ width: 5, height: 5, noise: true })],
    });
    expect(requestsTo(sim, UPLOAD)).toHaveLength(1);
  });
});
