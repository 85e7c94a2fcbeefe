import { fileURLToPath } from 'node:url';
import {
  type EditRequest,
  InvalidRequestError,
  MAX_INPUT_IMAGES,
  MAX_OUTPUTS,
  MAX_PROMPT_LENGTH,
  parseModelId,
} from '@retouch/core';
import { normalizeEditRequest } from '@retouch/core/provider-utils';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

const tinyPng = fileURLToPath(new URL('./__fixtures__/tiny.png', import.meta.url));
const textFile = fileURLToPath(new URL('./__fixtures__/not-an-image.png', import.meta.url));
const missingFile = fileURLToPath(new URL('./__fixtures__/missing.png', import.meta.url));

const valid = {
  model: 'oxen:qwen-image-edit',
  prompt: 'Make the sky purple',
  images: ['https://example.com/photo.jpg'],
} satisfies EditRequest;

/** Runs normalization and returns the InvalidRequestError it must throw. */
async function invalid(request: unknown): Promise<InvalidRequestError> {
  const error = await normalizeEditRequest(request).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(InvalidRequestError.isInstance(error), `expected InvalidRequestError, got ${String(error)}`).toBe(
    true,
  );
  return error as InvalidRequestError;
}

const nonImageDataUrl = `data:image/png;base64,${Buffer.from('just some text').toString('base64')}`;

/**
 * Each bad request, the field its issue must point at, and what the issue's message must say. `names`
 * is the word that must appear in the issue's own message (the field, as a user would look for it).
 */
const badRequests: {
  name: string;
  request: unknown;
  path: string;
  message: RegExp;
  names?: string;
}[] = [
  {
    name: 'a string request',
    request: 'make it blue',
    path: '',
    message: /must be an object \{ model, prompt, images/,
    names: 'request',
  },
  { name: 'a null request', request: null, path: '', message: /must be an object/, names: 'request' },
  { name: 'an array request', request: [valid], path: '', message: /must be an object/, names: 'request' },
  {
    name: 'a missing model',
    request: { ...valid, model: undefined },
    path: 'model',
    message: /model is required: a "provider:model" string such as "oxen:qwen-image-edit"/,
  },
  {
    name: 'a model that is not a string',
    request: { ...valid, model: 42 },
    path: 'model',
    message: /model must be a "provider:model" string/,
  },
  {
    name: 'a model without a provider prefix',
    request: { ...valid, model: 'qwen-image-edit' },
    path: 'model',
    message: /model must be "provider:model", e\.g\. "oxen:qwen-image-edit"/,
  },
  {
    name: 'a model with a space',
    request: { ...valid, model: 'oxen:qwen image edit' },
    path: 'model',
    message: /model must be "provider:model"/,
  },
  {
    name: 'a model with an upper-case provider',
    request: { ...valid, model: 'Oxen:qwen-image-edit' },
    path: 'model',
    message: /model must be "provider:model"/,
  },
  {
    name: 'a model with an empty model id',
    request: { ...valid, model: 'oxen:' },
    path: 'model',
    message: /model must be "provider:model"/,
  },
  {
    name: 'an empty prompt',
    request: { ...valid, prompt: '' },
    path: 'prompt',
    message: /prompt is empty; describe the edit to make/,
  },
  {
    name: 'a whitespace prompt',
    request: { ...valid, prompt: ' \n\t ' },
    path: 'prompt',
    message: /prompt is empty; describe the edit to make/,
  },
  {
    name: 'a 32,001-character prompt',
    request: { ...valid, prompt: 'a'.repeat(32_001) },
    path: 'prompt',
    message: /prompt is longer than 32000 characters; shorten it/,
  },
  {
    name: 'a missing prompt',
    request: { model: valid.model, images: valid.images },
    path: 'prompt',
    message: /prompt is required: a text instruction/,
  },
  {
    name: 'a prompt that is not a string',
    request: { ...valid, prompt: ['make', 'it', 'blue'] },
    path: 'prompt',
    message: /prompt must be a string: a text instruction/,
  },
  {
    name: 'missing images',
    request: { model: valid.model, prompt: valid.prompt },
    path: 'images',
    message: /images is required: an array of 1 to 16 input images/,
  },
  {
    name: 'images that is not an array',
    request: { ...valid, images: 'https://example.com/photo.jpg' },
    path: 'images',
    message: /images must be an array of 1 to 16 input images; wrap a single image in \[ \]/,
  },
  {
    name: '0 images',
    request: { ...valid, images: [] },
    path: 'images',
    message: /images is empty; pass at least one input image/,
  },
  {
    name: '17 images',
    request: { ...valid, images: Array(17).fill(valid.images[0]) },
    path: 'images',
    message: /images has 17 entries; at most 16 are allowed, pass fewer/,
  },
  {
    name: 'an image that is a number',
    request: { ...valid, images: [42] },
    path: 'images.0',
    message: /expected an image: an http\(s\) URL, a data: URL/,
    names: 'image',
  },
  {
    name: 'a file: URL',
    request: { ...valid, images: ['file:///etc/passwd'] },
    path: 'images.0',
    message: /the file: scheme is not allowed; use an https:\/\/ URL/,
    names: 'URL',
  },
  {
    name: 'a javascript: URL',
    request: { ...valid, images: ['javascript:alert(1)'] },
    path: 'images.0',
    message: /the javascript: scheme is not allowed; use an https:\/\/ URL/,
    names: 'URL',
  },
  {
    name: 'an ftp: URL',
    request: { ...valid, images: ['ftp://example.com/a.png'] },
    path: 'images.0',
    message: /the ftp: scheme is not allowed/,
    names: 'URL',
  },
  {
    name: 'a URL with credentials',
    request: { ...valid, images: ['https://me:pw@example.com/a.png'] },
    path: 'images.0',
    message: /the URL carries credentials.*pass a URL the provider can fetch without them/,
    names: 'URL',
  },
  {
    name: 'a string that is not a URL',
    request: { ...valid, images: ['photo.jpg'] },
    path: 'images.0',
    message: /"photo\.jpg" is not a URL; for a file on disk pass \{ path: "photo\.jpg" \}/,
    names: 'URL',
  },
  {
    name: 'the second image bad',
    request: { ...valid, images: [valid.images[0], 'nope'] },
    path: 'images.1',
    message: /not a URL/,
    names: 'URL',
  },
  {
    name: 'a text/plain data: URL',
    request: { ...valid, images: ['data:text/plain;base64,aGVsbG8='] },
    path: 'images.0',
    message: /a data: URL must be data:image\/\(png\|jpeg\|webp\|gif\);base64,<data>/,
    names: 'data: URL',
  },
  {
    name: 'a data: URL of non-image bytes',
    request: { ...valid, images: [nonImageDataUrl] },
    path: 'images.0',
    message: /the data: URL is not a PNG, JPEG, WebP or GIF image.*convert it/,
    names: 'data: URL',
  },
  {
    name: 'a text file as an image',
    request: { ...valid, images: [{ path: textFile }] },
    path: 'images.0',
    message: /is not a PNG, JPEG, WebP or GIF image/,
    names: 'not-an-image.png',
  },
  {
    name: 'n of 0',
    request: { ...valid, n: 0 },
    path: 'n',
    message: /n must be at least 1; omit it for one image/,
  },
  {
    name: 'n of 11',
    request: { ...valid, n: 11 },
    path: 'n',
    message: /n must be at most 10; send several requests for more/,
  },
  {
    name: 'n of 1.5',
    request: { ...valid, n: 1.5 },
    path: 'n',
    message: /n must be a whole number from 1 to 10/,
  },
  {
    name: 'n of "2"',
    request: { ...valid, n: '2' },
    path: 'n',
    message: /n must be a whole number of output images from 1 to 10/,
  },
  { name: 'n of NaN', request: { ...valid, n: Number.NaN }, path: 'n', message: /n must be a whole number/ },
  {
    name: 'size "big"',
    request: { ...valid, size: 'big' },
    path: 'size',
    message: /size must be "WxH" such as "1024x1024", or "auto"/,
  },
  {
    name: 'size "1024*1024"',
    request: { ...valid, size: '1024*1024' },
    path: 'size',
    message: /size must be "WxH" such as "1024x1024"/,
  },
  {
    name: 'size as a number',
    request: { ...valid, size: 1024 },
    path: 'size',
    message: /size must be a string "WxH"/,
  },
  {
    name: 'aspectRatio "16/9"',
    request: { ...valid, aspectRatio: '16/9' },
    path: 'aspectRatio',
    message: /aspectRatio must be "W:H" such as "16:9"/,
  },
  {
    name: 'quality "ultra"',
    request: { ...valid, quality: 'ultra' },
    path: 'quality',
    message: /quality must be one of "auto", "low", "medium", "high"/,
  },
  {
    name: 'outputFormat "jpg"',
    request: { ...valid, outputFormat: 'jpg' },
    path: 'outputFormat',
    message: /outputFormat must be one of "png", "jpeg", "webp" \(use "jpeg", not "jpg"\)/,
  },
  { name: 'seed of -1', request: { ...valid, seed: -1 }, path: 'seed', message: /seed must be 0 or more/ },
  {
    name: 'seed of 1.5',
    request: { ...valid, seed: 1.5 },
    path: 'seed',
    message: /seed must be a whole number/,
  },
  {
    name: 'seed of 2^32',
    request: { ...valid, seed: 2 ** 32 },
    path: 'seed',
    message: /seed must be at most 4294967295/,
  },
  {
    name: 'negativePrompt as a number',
    request: { ...valid, negativePrompt: 5 },
    path: 'negativePrompt',
    message: /negativePrompt must be a string describing what to avoid/,
  },
  {
    name: 'a 32,001-character negativePrompt',
    request: { ...valid, negativePrompt: 'b'.repeat(32_001) },
    path: 'negativePrompt',
    message: /negativePrompt is longer than 32000 characters; shorten it/,
  },
  {
    name: 'providerOptions as an array',
    request: { ...valid, providerOptions: [{ guidance: 3 }] },
    path: 'providerOptions',
    message: /providerOptions must be an object keyed by provider id, e\.g\. \{ oxen: \{ \.\.\. \} \}/,
  },
  {
    name: 'providerOptions.oxen as a string',
    request: { ...valid, providerOptions: { oxen: 'fast' } },
    path: 'providerOptions.oxen',
    message: /providerOptions\.<provider> must be an object of that provider's options/,
    names: 'providerOptions',
  },
  {
    name: 'providerOptions keyed by a display name',
    request: { ...valid, providerOptions: { 'Eden AI': {} } },
    path: 'providerOptions.Eden AI',
    message: /providerOptions keys are provider ids such as "oxen" or "edenai"/,
  },
  {
    name: 'a signal that is not an AbortSignal',
    request: { ...valid, signal: { aborted: false } },
    path: 'signal',
    message: /signal must be an AbortSignal/,
  },
  {
    name: 'timeoutMs of -5',
    request: { ...valid, timeoutMs: -5 },
    path: 'timeoutMs',
    message: /timeoutMs must be greater than 0; omit it for no deadline/,
  },
  {
    name: 'timeoutMs of 0',
    request: { ...valid, timeoutMs: 0 },
    path: 'timeoutMs',
    message: /timeoutMs must be greater than 0; omit it for no deadline/,
  },
  {
    name: 'timeoutMs of "10s"',
    request: { ...valid, timeoutMs: '10s' },
    path: 'timeoutMs',
    message: /timeoutMs must be a number of milliseconds/,
  },
  {
    name: 'timeoutMs over a day',
    request: { ...valid, timeoutMs: 86_400_001 },
    path: 'timeoutMs',
    message: /timeoutMs must be at most 24 hours/,
  },
  {
    name: 'the unknown key aspect_ratio',
    request: { ...valid, aspect_ratio: '16:9' },
    path: 'aspect_ratio',
    message: /unknown option "aspect_ratio"; did you mean "aspectRatio"\?/,
  },
  {
    name: 'the unknown key num_generations',
    request: { ...valid, num_generations: 2 },
    path: 'num_generations',
    message: /did you mean "n"\?/,
  },
  {
    name: 'the unknown key foo',
    request: { ...valid, foo: 1 },
    path: 'foo',
    message: /unknown option "foo"; provider-specific options go under providerOptions\.<provider>/,
  },
  {
    name: 'a file id uploaded to another provider',
    request: { ...valid, images: [{ fileId: 'file_1', provider: 'edenai' }] },
    path: 'images.0',
    message:
      /uploaded to "edenai" but the model is served by "oxen"; upload it to oxen or pass the image itself/,
    names: 'file',
  },
  {
    name: 'a mask whose file is missing',
    request: { ...valid, mask: { path: missingFile } },
    path: 'mask',
    message: /no readable file at ".*missing\.png" \(ENOENT\); check the path/,
    names: 'file',
  },
  {
    name: 'a mask file id of another provider',
    request: { ...valid, mask: { fileId: 'file_9', provider: 'edenai' } },
    path: 'mask',
    message: /uploaded to "edenai" but the model is served by "oxen"/,
    names: 'file',
  },
];

describe('bad requests are refused with InvalidRequestError naming the field and the fix', () => {
  test('the table is long enough', () => {
    expect(badRequests.length).toBeGreaterThanOrEqual(30);
    expect(new Set(badRequests.map((entry) => entry.name)).size).toBe(badRequests.length);
  });

  test.each(badRequests)('$name', async ({ request, path, message, names }) => {
    const error = await invalid(request);
    expect(error.name).toBe('InvalidRequestError');
    expect(error.issues.map((issue) => issue.path)).toEqual([path]);
    const issue = error.issues[0]!;
    expect(issue.message).toMatch(message);
    // The issue names the field in its own words, and the error message names it by path.
    expect(issue.message).toContain(names ?? path.split('.')[0]!);
    expect(error.message).toContain(`${path || '(request)'}: ${issue.message}`);
    expect(error.message.startsWith('Invalid edit request: ')).toBe(true);
  });
});

describe('several problems', () => {
  test('every schema problem is reported at once, each at its field', async () => {
    const error = await invalid({ ...valid, prompt: '', n: 0, outputFormat: 'jpg', images: [] });
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['images', 'n', 'outputFormat', 'prompt']);
    for (const field of ['images:', 'n:', 'outputFormat:', 'prompt:']) expect(error.message).toContain(field);
  });

  test('each unknown key is its own issue with its own suggestion', async () => {
    const error = await invalid({ ...valid, aspect_ratio: '1:1', foo: true });
    expect(error.issues).toEqual([
      { path: 'aspect_ratio', message: 'unknown option "aspect_ratio"; did you mean "aspectRatio"?' },
      {
        path: 'foo',
        message: 'unknown option "foo"; provider-specific options go under providerOptions.<provider>',
      },
    ]);
  });

  test('every bad image is reported, not only the first', async () => {
    const error = await invalid({
      ...valid,
      images: ['file:///a.png', valid.images[0], { path: missingFile }],
      mask: 'javascript:void(0)',
    });
    expect(error.issues.map((issue) => issue.path)).toEqual(['images.0', 'images.2', 'mask']);
  });

  test('a thrown error is an Error with a stack and no cause', async () => {
    const error = await invalid({ ...valid, n: 0 });
    expect(error).toBeInstanceOf(Error);
    expect(error.stack).toContain('n must be at least 1');
    expect(error.cause).toBeUndefined();
  });
});

describe('good requests', () => {
  test('a minimal request gets the defaults', async () => {
    const normalized = await normalizeEditRequest(valid);
    expect(normalized).toEqual({
      model: 'oxen:qwen-image-edit',
      provider: 'oxen',
      modelId: 'qwen-image-edit',
      prompt: 'Make the sky purple',
      images: [{ kind: 'url', url: 'https://example.com/photo.jpg' }],
      n: 1,
      nExplicit: false,
      providerOptions: {},
    });
    // Options not given stay absent rather than present as undefined, so adapters can spread them.
    for (const key of [
      'mask',
      'size',
      'aspectRatio',
      'quality',
      'outputFormat',
      'seed',
      'negativePrompt',
      'timeoutMs',
      'signal',
    ]) {
      expect(Object.hasOwn(normalized, key), key).toBe(false);
    }
  });

  test('every option is carried over, the model is split and local images are normalized', async () => {
    const controller = new AbortController();
    const normalized = await normalizeEditRequest({
      model: 'edenai:openai/gpt-image-2',
      prompt: '  Add a red hat  ',
      images: [{ path: tinyPng }, { fileId: 'file_1', provider: 'edenai' }],
      mask: { path: tinyPng },
      n: 1,
      size: '1024x1536',
      aspectRatio: '2:3',
      quality: 'high',
      outputFormat: 'webp',
      seed: 0,
      negativePrompt: 'blur',
      providerOptions: { edenai: { user: 'abc' }, oxen: { guidance: 3 } },
      timeoutMs: 30_000,
      signal: controller.signal,
    });
    expect(normalized).toMatchObject({
      model: 'edenai:openai/gpt-image-2',
      provider: 'edenai',
      modelId: 'openai/gpt-image-2',
      prompt: '  Add a red hat  ',
      images: [
        { kind: 'file', path: tinyPng, mediaType: 'image/png' },
        { kind: 'file-id', fileId: 'file_1', provider: 'edenai' },
      ],
      mask: { kind: 'file', path: tinyPng, mediaType: 'image/png' },
      n: 1,
      nExplicit: true,
      size: '1024x1536',
      aspectRatio: '2:3',
      quality: 'high',
      outputFormat: 'webp',
      seed: 0,
      negativePrompt: 'blur',
      providerOptions: { user: 'abc' },
      timeoutMs: 30_000,
    });
    expect(normalized.signal).toBe(controller.signal);
  });

  test('options for other providers are accepted and not passed on', async () => {
    const normalized = await normalizeEditRequest({
      ...valid,
      providerOptions: { edenai: { user: 'x' }, 'some-other': { a: 1 } },
    });
    expect(normalized.providerOptions).toEqual({});
  });

  test('an already-aborted signal is still a valid signal (the dispatcher decides what to do)', async () => {
    const normalized = await normalizeEditRequest({ ...valid, signal: AbortSignal.abort() });
    expect(normalized.signal?.aborted).toBe(true);
  });

  test('the limits are exported and inclusive', async () => {
    expect([MAX_PROMPT_LENGTH, MAX_INPUT_IMAGES, MAX_OUTPUTS]).toEqual([32_000, 16, 10]);
    const normalized = await normalizeEditRequest({
      ...valid,
      prompt: 'p'.repeat(MAX_PROMPT_LENGTH),
      images: Array(MAX_INPUT_IMAGES).fill(valid.images[0]),
      n: MAX_OUTPUTS,
      seed: 2 ** 32 - 1,
      timeoutMs: 86_400_000,
    });
    expect(normalized.images).toHaveLength(16);
    expect(normalized.n).toBe(10);
  });

  test('parseModelId splits at the first colon', () => {
    expect(parseModelId('edenai:black-forest-labs/flux:dev')).toEqual({
      provider: 'edenai',
      modelId: 'black-forest-labs/flux:dev',
    });
    expect(parseModelId('no-prefix')).toBeUndefined();
  });
});

describe('properties', () => {
  const providerId = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);
  const modelId = fc.stringMatching(/^[A-Za-z0-9][\w./:-]{0,30}$/);
  const prompt = fc.string({ minLength: 1, maxLength: 200 }).filter((text) => text.trim().length > 0);
  const imageUrl = fc.webUrl({ validSchemes: ['https', 'http'] }).filter((url) => !new URL(url).username);

  test('any valid combination normalizes and round-trips its fields', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            provider: providerId,
            modelId,
            prompt,
            images: fc.array(imageUrl, { minLength: 1, maxLength: MAX_INPUT_IMAGES }),
            n: fc.integer({ min: 1, max: MAX_OUTPUTS }),
            size: fc.oneof(
              fc.constant('auto'),
              fc
                .tuple(fc.integer({ min: 10, max: 99_999 }), fc.integer({ min: 10, max: 99_999 }))
                .map(([width, height]) => `${width}x${height}`),
            ),
            aspectRatio: fc
              .tuple(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 1, max: 999 }))
              .map(([width, height]) => `${width}:${height}`),
            quality: fc.constantFrom('auto', 'low', 'medium', 'high'),
            outputFormat: fc.constantFrom('png', 'jpeg', 'webp'),
            seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
            negativePrompt: fc.string({ maxLength: 100 }),
            timeoutMs: fc.integer({ min: 1, max: 86_400_000 }),
            options: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue()),
          },
          { requiredKeys: ['provider', 'modelId', 'prompt', 'images'] },
        ),
        async ({ provider, modelId: id, options, ...fields }) => {
          const request = {
            ...fields,
            model: `${provider}:${id}`,
            ...(options ? { providerOptions: { [provider]: options, 'not-this-one': { x: 1 } } } : {}),
          };
          const normalized = await normalizeEditRequest(request);
          expect(normalized.provider).toBe(provider);
          expect(normalized.modelId).toBe(id);
          expect(normalized.prompt).toBe(fields.prompt);
          expect(normalized.images).toEqual(
            fields.images.map((url) => ({ kind: 'url', url: new URL(url).href })),
          );
          expect(normalized.n).toBe(fields.n ?? 1);
          expect(normalized.nExplicit).toBe(fields.n !== undefined);
          for (const key of [
            'size',
            'aspectRatio',
            'quality',
            'outputFormat',
            'seed',
            'negativePrompt',
            'timeoutMs',
          ] as const) {
            expect(normalized[key]).toBe(fields[key]);
            expect(Object.hasOwn(normalized, key)).toBe(fields[key] !== undefined);
          }
          expect(normalized.providerOptions).toEqual(options ?? {});
        },
      ),
      { numRuns: 150 },
    );
  });

  test('any prompt of 1 to 32,000 characters with a non-whitespace character passes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .string({ minLength: 1, maxLength: MAX_PROMPT_LENGTH, unit: 'binary', size: 'max' })
          .filter((text) => text.length <= MAX_PROMPT_LENGTH && text.trim().length > 0),
        async (text) => {
          const normalized = await normalizeEditRequest({ ...valid, prompt: text });
          expect(normalized.prompt).toBe(text);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('any whitespace-only or over-long prompt fails naming prompt', async () => {
    const whitespace = fc.string({
      unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u2003', '\ufeff'),
      maxLength: 50,
    });
    const tooLong = fc
      .integer({ min: MAX_PROMPT_LENGTH + 1, max: MAX_PROMPT_LENGTH + 5_000 })
      .map((length) => 'x'.repeat(length));
    await fc.assert(
      fc.asyncProperty(fc.oneof(whitespace, tooLong), async (text) => {
        const error = await invalid({ ...valid, prompt: text });
        expect(error.issues.map((issue) => issue.path)).toEqual(['prompt']);
        expect(error.issues[0]!.message).toMatch(/^prompt is (empty|longer)/);
      }),
      { numRuns: 60 },
    );
  });

  test('any n outside 1..10 fails naming n', async () => {
    const outside = fc.oneof(
      fc.integer({ max: 0 }),
      fc.integer({ min: MAX_OUTPUTS + 1 }),
      fc
        .double({ noNaN: false })
        .filter((value) => !Number.isInteger(value) || value < 1 || value > MAX_OUTPUTS),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
    );
    await fc.assert(
      fc.asyncProperty(outside, async (n) => {
        const error = await invalid({ ...valid, n });
        expect(error.issues.map((issue) => issue.path)).toEqual(['n']);
        expect(error.issues[0]!.message).toMatch(/^n must be /);
      }),
      { numRuns: 200 },
    );
  });

  test('any unknown top-level key fails naming that key', async () => {
    const known = new Set([
      ...Object.keys(valid),
      'mask',
      'n',
      'size',
      'aspectRatio',
      'quality',
      'outputFormat',
      'seed',
      'negativePrompt',
      'providerOptions',
      'signal',
      'timeoutMs',
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 20 }).filter((key) => !known.has(key) && key !== '__proto__'),
        fc.jsonValue(),
        async (key, value) => {
          const error = await invalid({ ...valid, [key]: value });
          expect(error.issues).toHaveLength(1);
          expect(error.issues[0]!.path).toBe(key);
          expect(error.issues[0]!.message).toContain(`unknown option "${key}"`);
        },
      ),
      { numRuns: 100 },
    );
  });
});
