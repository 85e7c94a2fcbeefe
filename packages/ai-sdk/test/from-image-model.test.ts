import { APICallError, InvalidArgumentError } from '@ai-sdk/provider';
import {
  ApiCallError,
  AuthenticationError,
  BudgetExceededError,
  createRetouch,
  InsufficientCreditsError,
  InvalidRequestError,
  RateLimitError,
  RetouchError,
  UnsupportedFeatureError,
} from '@retouch/core';
import { MockImageModelV3, MockImageModelV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { fromImageModel } from '../src/index.ts';
import { decode, imagesResult, leftHalfWhiteMask, photo, recordingGenerate } from './helpers.ts';

function apiError(options: {
  statusCode?: number;
  headers?: Record<string, string>;
  data?: unknown;
  isRetryable?: boolean;
  cause?: unknown;
  body?: Record<string, unknown>;
}): APICallError {
  return new APICallError({
    message:
      options.statusCode === undefined
        ? 'Cannot connect to API: connect ECONNREFUSED'
        : `status ${options.statusCode}`,
    url: 'https://api.example.com/v1/images/edits?key=secret-in-query',
    requestBodyValues: options.body ?? { model: 'mock-model-id', prompt: 'x' },
    ...(options.statusCode === undefined ? {} : { statusCode: options.statusCode }),
    ...(options.headers ? { responseHeaders: options.headers } : {}),
    ...(options.data === undefined ? {} : { data: options.data }),
    ...(options.cause === undefined ? {} : { cause: options.cause }),
    isRetryable:
      options.isRetryable ??
      (options.statusCode === undefined || options.statusCode === 429 || options.statusCode >= 500),
  });
}

const request = { model: 'mock:mock-model-id', prompt: 'Add a hat', images: [photo()] };
const fast = { retry: { initialDelayMs: 5, maxDelayMs: 20 } };

describe('fromImageModel: the request on the way in', () => {
  it('sends images as files (canvas first), n, size, aspect ratio, seed and provider options under the model key', async () => {
    const generate = recordingGenerate([() => imagesResult({ count: 2 })]);
    const model = new MockImageModelV4({
      provider: 'mock.image',
      maxImagesPerCall: 4,
      doGenerate: generate.doGenerate,
    });
    const retouch = createRetouch({ providers: [fromImageModel(model, { id: 'mock' })] });
    const result = await retouch.edit({
      model: 'mock:mock-model-id',
      prompt: 'Add a hat',
      images: [photo(), 'https://example.com/reference.png'],
      n: 2,
      size: '1024x1536',
      aspectRatio: '2:3',
      seed: 7,
      providerOptions: { mock: { style: 'vivid' }, other: { ignored: true } },
    });
    await retouch.close();

    expect(generate.calls).toHaveLength(1);
    const [call] = generate.calls;
    expect(call).toMatchObject({
      prompt: 'Add a hat',
      n: 2,
      size: '1024x1536',
      aspectRatio: '2:3',
      seed: 7,
      mask: undefined,
      providerOptions: { mock: { style: 'vivid' } },
    });
    const [canvas, reference] = call!.files as [
      { type: 'file'; mediaType: string; data: Uint8Array },
      { type: 'url'; url: string },
    ];
    expect(canvas).toMatchObject({ type: 'file', mediaType: 'image/png' });
    expect(Buffer.from(canvas.data)).toEqual(photo());
    expect(reference).toEqual({ type: 'url', url: 'https://example.com/reference.png' });
    expect(call!.abortSignal).toBeInstanceOf(AbortSignal);
    expect(result.images).toHaveLength(2);
    expect(Buffer.from(await result.images[0]!.bytes())).toEqual(photo());
    expect(result).toMatchObject({ provider: 'mock', model: 'mock:mock-model-id', warnings: [] });
  });

  it("gives size 'auto' as the model's default, and names the model's own provider key", async () => {
    const generate = recordingGenerate([() => imagesResult({})]);
    const model = new MockImageModelV4({
      provider: 'openai.image',
      modelId: 'gpt-image-1',
      doGenerate: generate.doGenerate,
    });
    const retouch = createRetouch({ providers: [fromImageModel(model, { id: 'direct' })] });
    await retouch.edit({
      model: 'direct:gpt-image-1',
      prompt: 'x',
      images: [photo()],
      size: 'auto',
      providerOptions: { direct: { quality: 'high' } },
    });
    await retouch.close();
    expect(generate.calls[0]).toMatchObject({
      size: undefined,
      providerOptions: { openai: { quality: 'high' } },
    });
  });

  it("converts Retouch's white-is-edit mask into a transparent-is-edit PNG for OpenAI's models, and sends it as is to others", async () => {
    const openaiGenerate = recordingGenerate([() => imagesResult({})]);
    const otherGenerate = recordingGenerate([() => imagesResult({})]);
    const retouch = createRetouch({
      providers: [
        fromImageModel(
          new MockImageModelV4({
            provider: 'openai.image',
            modelId: 'm',
            doGenerate: openaiGenerate.doGenerate,
          }),
          { id: 'openai' },
        ),
        fromImageModel(
          new MockImageModelV4({
            provider: 'replicate.image',
            modelId: 'm',
            doGenerate: otherGenerate.doGenerate,
          }),
          { id: 'replicate' },
        ),
      ],
    });
    const mask = leftHalfWhiteMask();
    await retouch.edit({ model: 'openai:m', prompt: 'x', images: [photo()], mask });
    await retouch.edit({ model: 'replicate:m', prompt: 'x', images: [photo()], mask });
    await retouch.close();

    const sent = openaiGenerate.calls[0]!.mask as { type: 'file'; data: Uint8Array; mediaType: string };
    expect(sent.mediaType).toBe('image/png');
    const converted = decode(sent.data);
    expect(converted.pixel(1, 3)[3]).toBe(0); // white (edit) became transparent
    expect(converted.pixel(6, 3)[3]).toBe(255); // black (keep) became opaque
    const unchanged = otherGenerate.calls[0]!.mask as { type: 'file'; data: Uint8Array; mediaType: string };
    expect(unchanged.mediaType).toBe('image/png');
    expect(Buffer.from(unchanged.data)).toEqual(mask);
  });

  it('refuses, before any call, a mask it cannot convert and a provider file id, naming the field', async () => {
    const generate = recordingGenerate([() => imagesResult({})]);
    const retouch = createRetouch({
      providers: [
        fromImageModel(
          new MockImageModelV4({ provider: 'openai.image', modelId: 'm', doGenerate: generate.doGenerate }),
          { id: 'openai' },
        ),
      ],
    });
    const refused = await retouch
      .edit({
        model: 'openai:m',
        prompt: 'x',
        images: [photo(), { fileId: 'f1', provider: 'openai' }],
        mask: 'https://example.com/mask.png',
      })
      .catch((error: unknown) => error);
    await retouch.close();
    expect(InvalidRequestError.isInstance(refused)).toBe(true);
    expect((refused as InvalidRequestError).issues.map((issue) => issue.path)).toEqual(['images.1', 'mask']);
    expect((refused as InvalidRequestError).issues[1]!.message).toContain('pass it as bytes');
    expect(generate.calls).toHaveLength(0);
  });

  it('refuses a model string it does not wrap, and a model that takes no input images', async () => {
    const textOnly = new MockImageModelV4({
      modelId: 'm',
      supportsFileInputs: false,
      doGenerate: async () => imagesResult({}),
    });
    const retouch = createRetouch({ providers: [fromImageModel(textOnly, { id: 'mock' })] });
    const wrongModel = await retouch
      .edit({ ...request, model: 'mock:other' })
      .catch((error: unknown) => error);
    const noFiles = await retouch.edit({ ...request, model: 'mock:m' }).catch((error: unknown) => error);
    await retouch.close();
    expect((wrongModel as InvalidRequestError).issues[0]).toEqual({
      path: 'model',
      message: expect.stringContaining('use model "mock:m"'),
    });
    expect((noFiles as InvalidRequestError).issues[0]).toMatchObject({ path: 'images' });
  });

  it('warns about what the AI SDK spec lacks, caps n at maxImagesPerCall, drops a mask the model refuses; strict mode refuses first', async () => {
    const generate = recordingGenerate([() => imagesResult({ count: 2 })]);
    const model = new MockImageModelV4({
      maxImagesPerCall: 2,
      supportsMaskInputs: false,
      doGenerate: generate.doGenerate,
    });
    const retouch = createRetouch({ providers: [fromImageModel(model, { id: 'mock' })] });
    const result = await retouch.edit({
      ...request,
      n: 5,
      quality: 'high',
      outputFormat: 'webp',
      mask: leftHalfWhiteMask(),
    });
    await retouch.close();
    expect(generate.calls[0]).toMatchObject({ n: 2, mask: undefined });
    expect(
      result.warnings.map((warning) => [warning.type, 'option' in warning ? warning.option : undefined]),
    ).toEqual([
      ['unsupported-option', 'mask'],
      ['adjusted-option', 'n'],
      ['unsupported-option', 'quality'],
      ['unsupported-option', 'outputFormat'],
    ]);
    expect(result.warnings[2]!.message).toContain('providerOptions.mock');

    const strict = createRetouch({ providers: [fromImageModel(model, { id: 'mock' })], strict: true });
    const refused = await strict.edit({ ...request, quality: 'high' }).catch((error: unknown) => error);
    await strict.close();
    expect(UnsupportedFeatureError.isInstance(refused)).toBe(true);
    expect(generate.calls).toHaveLength(1);
  });
});

describe('fromImageModel: the answer on the way back', () => {
  it('takes base64 and byte images, maps the model warnings to neutral options, keeps usage and prices the images', async () => {
    const bytes = new Uint8Array(photo({ color: [1, 2, 3] }));
    const model = new MockImageModelV4({
      maxImagesPerCall: 2,
      doGenerate: async (options) => ({
        ...imagesResult({
          warnings: [
            { type: 'unsupported', feature: 'seed' },
            { type: 'unsupported', feature: 'aspectRatio', details: 'use size' },
            { type: 'compatibility', feature: 'style' },
            { type: 'other', message: 'slow today' },
          ],
          usage: { inputTokens: 10, outputTokens: 100, totalTokens: 110 },
        }),
        images: Array.from({ length: options.n }, () => bytes),
      }),
    });
    const retouch = createRetouch({
      providers: [
        fromImageModel(model, {
          id: 'mock',
          prices: { perImageUsd: 0.04, perImageBySizeUsd: { '1024x1536': 0.06 } },
        }),
      ],
    });
    const result = await retouch.edit({
      ...request,
      n: 2,
      size: '1024x1536',
      seed: 1,
      providerOptions: { mock: { style: 'x' } },
    });
    const plain = await retouch.edit(request);
    await retouch.close();
    expect(Buffer.from(await result.images[1]!.bytes())).toEqual(Buffer.from(bytes));
    expect(result.cost).toEqual({ usd: 0.12, source: 'estimated' });
    expect(plain.cost).toEqual({ usd: 0.04, source: 'estimated' });
    expect(result.usage).toEqual({ inputTokens: 10, outputTokens: 100, totalTokens: 110 });
    expect(result.warnings).toEqual([
      {
        type: 'unsupported-option',
        option: 'seed',
        message: 'mock: seed is not supported by the model; it was not used',
      },
      { type: 'unsupported-option', option: 'aspectRatio', message: expect.stringContaining('use size') },
      {
        type: 'adjusted-option',
        option: 'providerOptions.mock.style',
        from: undefined,
        to: undefined,
        message: expect.any(String),
      },
      { type: 'other', message: 'mock: slow today' },
    ]);
  });

  it('estimates from the price table, and without a price the budget refuses as for any provider', async () => {
    const generate = recordingGenerate([() => imagesResult({})]);
    const priced = createRetouch({
      providers: [
        fromImageModel(new MockImageModelV4({ maxImagesPerCall: 3, doGenerate: generate.doGenerate }), {
          id: 'mock',
          prices: { perImageUsd: 0.5 },
        }),
      ],
      budget: { maxUsd: 1 },
    });
    expect(await priced.estimate({ ...request, n: 3 })).toEqual({ usd: 1.5, source: 'estimated' });
    const overBudget = await priced.edit({ ...request, n: 3 }).catch((error: unknown) => error);
    await priced.close();
    expect(BudgetExceededError.isInstance(overBudget)).toBe(true);

    const unpriced = createRetouch({
      providers: [fromImageModel(new MockImageModelV4({ doGenerate: generate.doGenerate }), { id: 'mock' })],
      budget: { maxUsd: 1 },
    });
    expect(await unpriced.estimate(request)).toBeUndefined();
    const unknown = await unpriced.edit(request).catch((error: unknown) => error);
    await unpriced.close();
    expect((unknown as Error).message).toContain('cannot be estimated');
    expect(generate.calls).toHaveLength(0);
  });

  it('answers an empty image list with GenerationFailedError and does not send it again', async () => {
    const generate = recordingGenerate([() => ({ ...imagesResult({}), images: [] })]);
    const retouch = createRetouch({
      providers: [fromImageModel(new MockImageModelV4({ doGenerate: generate.doGenerate }), { id: 'mock' })],
      ...fast,
    });
    const error = await retouch.edit(request).catch((caught: unknown) => caught);
    await retouch.close();
    expect((error as Error).name).toBe('GenerationFailedError');
    expect(generate.calls).toHaveLength(1);
  });

  it('works with a V3 model', async () => {
    const v3 = new MockImageModelV3({
      modelId: 'old',
      doGenerate: async () => ({ ...imagesResult({}), warnings: [{ type: 'unsupported', feature: 'seed' }] }),
    });
    const retouch = createRetouch({ providers: [fromImageModel(v3, { id: 'legacy' })] });
    const result = await retouch.edit({ ...request, model: 'legacy:old' });
    await retouch.close();
    expect(result.images).toHaveLength(1);
    expect(result.warnings).toMatchObject([{ type: 'unsupported-option', option: 'seed' }]);
  });
});

describe('fromImageModel: errors and the never-pay-twice rule', () => {
  it('retries a 429 of a one-request model after its retry-after-ms; the edit succeeds on the second call', async () => {
    const generate = recordingGenerate([
      () => {
        throw apiError({ statusCode: 429, headers: { 'retry-after-ms': '15' } });
      },
      () => imagesResult({}),
    ]);
    const retouch = createRetouch({
      providers: [
        fromImageModel(new MockImageModelV4({ provider: 'openai.image', doGenerate: generate.doGenerate }), {
          id: 'mock',
        }),
      ],
      ...fast,
    });
    const events: string[] = [];
    retouch.subscribe((event) =>
      events.push(event.type === 'retrying' ? `retrying: ${event.reason}` : event.type),
    );
    const result = await retouch.edit(request);
    await retouch.close();
    expect(result.images).toHaveLength(1);
    expect(generate.calls).toHaveLength(2);
    expect(events.find((event) => event.startsWith('retrying'))).toContain(
      'the provider asked to wait 15 ms',
    );
  });

  it('does not resend after a 500, nor after a 429 of a model that polls: either may have been paid', async () => {
    for (const [provider, error, requestsPerCall] of [
      ['openai.image', apiError({ statusCode: 500 }), undefined],
      ['fal.image', apiError({ statusCode: 429, headers: { 'retry-after': '0' } }), undefined],
      ['openai.image', apiError({ statusCode: 429, headers: { 'retry-after': '0' } }), 'several' as const],
    ] as const) {
      const generate = recordingGenerate([
        () => {
          throw error;
        },
        () => imagesResult({}),
      ]);
      const retouch = createRetouch({
        providers: [
          fromImageModel(new MockImageModelV4({ provider, doGenerate: generate.doGenerate }), {
            id: 'mock',
            ...(requestsPerCall ? { requestsPerCall } : {}),
          }),
        ],
        ...fast,
      });
      const failure = await retouch.edit(request).catch((caught: unknown) => caught);
      await retouch.close();
      expect(ApiCallError.isInstance(failure)).toBe(true);
      expect((failure as ApiCallError).provablyNotProcessed).toBe(false);
      expect((failure as Error).message).toContain('billed twice');
      expect(generate.calls).toHaveLength(1);
    }
  });

  it('retries a refused connection of a one-request model: nothing was sent', async () => {
    const generate = recordingGenerate([
      () => {
        throw apiError({
          cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
          body: {},
        });
      },
      () => imagesResult({}),
    ]);
    const retouch = createRetouch({
      providers: [
        fromImageModel(new MockImageModelV4({ provider: 'openai.image', doGenerate: generate.doGenerate }), {
          id: 'mock',
        }),
      ],
      ...fast,
    });
    await retouch.edit(request);
    await retouch.close();
    expect(generate.calls).toHaveLength(2);
  });

  it('maps statuses and AI SDK errors to typed Retouch errors, without the URL query or the response headers', async () => {
    const cases: [unknown, (error: unknown) => boolean, Record<string, unknown>][] = [
      [apiError({ statusCode: 401 }), AuthenticationError.isInstance, { statusCode: 401 }],
      [apiError({ statusCode: 402 }), InsufficientCreditsError.isInstance, { statusCode: 402 }],
      [
        apiError({
          statusCode: 429,
          data: { error: { message: 'quota', type: 'insufficient_quota', code: 'insufficient_quota' } },
        }),
        InsufficientCreditsError.isInstance,
        { statusCode: 429 },
      ],
      [
        apiError({ statusCode: 429, headers: { 'Retry-After': '3' } }),
        RateLimitError.isInstance,
        { retryAfterMs: 3000, url: 'https://api.example.com/v1/images/edits' },
      ],
      [
        apiError({
          statusCode: 400,
          data: { error: { message: 'bad size', type: 'invalid_request_error', code: 'invalid_value' } },
        }),
        ApiCallError.isInstance,
        { statusCode: 400, code: 'invalid_value', isRetryable: false, method: 'POST' },
      ],
      [
        new InvalidArgumentError({
          argument: 'providerOptions.openai.markup',
          message: '`markup` cannot be combined with `mask`.',
        }),
        InvalidRequestError.isInstance,
        { issues: [{ path: 'providerOptions.mock.markup', message: expect.stringContaining('markup') }] },
      ],
    ];
    for (const [thrown, isExpected, fields] of cases) {
      const model = new MockImageModelV4({
        doGenerate: async () => {
          throw thrown;
        },
      });
      const retouch = createRetouch({
        providers: [fromImageModel(model, { id: 'mock' })],
        retry: { maxRetries: 0, maxRateLimitRetries: 0 },
      });
      const error = await retouch.edit(request).catch((caught: unknown) => caught);
      await retouch.close();
      expect(isExpected(error), String(error)).toBe(true);
      expect(error).toMatchObject(fields);
      expect(JSON.stringify(error)).not.toContain('secret-in-query');
    }
  });

  it('passes an abort through as the caller’s reason', async () => {
    const controller = new AbortController();
    const model = new MockImageModelV4({
      doGenerate: (options) =>
        new Promise((_, reject) => {
          options.abortSignal?.addEventListener('abort', () =>
            reject(new DOMException('aborted', 'AbortError')),
          );
          controller.abort(new Error('user gave up'));
        }),
    });
    const retouch = createRetouch({ providers: [fromImageModel(model, { id: 'mock' })] });
    const error = await retouch
      .edit({ ...request, signal: controller.signal })
      .catch((caught: unknown) => caught);
    await retouch.close();
    expect((error as Error).message).toBe('user gave up');
  });
});

describe('fromImageModel: bad arguments are refused at once, naming the field and the fix', () => {
  const model = new MockImageModelV4({ doGenerate: async () => imagesResult({}) });
  it.each([
    [
      () => fromImageModel('openai/gpt-image-1' as never, { id: 'x' }),
      "pass an AI SDK image model object, e.g. openai.image('gpt-image-1')",
    ],
    [
      () => fromImageModel({ specificationVersion: 'v2', doGenerate() {} } as never, { id: 'x' }),
      'takes v3 and v4',
    ],
    [() => fromImageModel(model, undefined as never), 'options are required'],
    [() => fromImageModel(model, { id: 'Open AI' }), 'options.id must be a provider id'],
    [
      () => fromImageModel(model, { id: 'x', prices: { perImageUsd: -1 } }),
      'options.prices.perImageUsd must be a number',
    ],
    [() => fromImageModel(model, { id: 'x', prices: { perImageBySizeUsd: { big: 1 } } }), 'sizes are "WxH"'],
    [
      () => fromImageModel(model, { id: 'x', limits: { requestsPerSecond: 0 } }),
      'options.limits.requestsPerSecond must be a number greater than 0',
    ],
    [
      () => fromImageModel(model, { id: 'x', maskConvention: 'black' as never }),
      "options.maskConvention must be 'white-edits' or 'transparent-edits'",
    ],
    [() => fromImageModel(model, { id: 'x', price: 1 } as never), 'options.price is not an option'],
  ])('%#', (create, message) => {
    expect(create).toThrow(RetouchError);
    expect(create).toThrow(message);
  });
});
