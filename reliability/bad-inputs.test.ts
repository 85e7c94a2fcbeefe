/**
 * Bad inputs: requests and option combinations that can never work. Each is refused with a typed error
 * whose message names the field and the fix, before any network call: both simulators' request logs
 * stay empty. A few can only be judged against the provider's catalogue (a model's parameters, a
 * price); those are listed apart, and must stop after free catalogue reads, before anything billable.
 */
import {
  BudgetExceededError,
  createRetouch,
  type EditRequest,
  InvalidRequestError,
  RetouchError,
  type RetouchOptions,
  UnsupportedFeatureError,
} from '@retouch/core';
import { createEdenAI, type EdenAIProviderSettings } from '@retouch/provider-edenai';
import { createOxen, type OxenProviderSettings } from '@retouch/provider-oxen';
import {
  type EdenAISimulator,
  type OxenSimulator,
  startEdenAISimulator,
  startOxenSimulator,
} from '@retouch/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { pngBytes } from './support/png.ts';
import { inspect, secretKey } from './support/secrets.ts';

let oxenSim: OxenSimulator;
let edenSim: EdenAISimulator;

beforeAll(async () => {
  [oxenSim, edenSim] = await Promise.all([
    startOxenSimulator({ apiKey: secretKey('oxen') }),
    startEdenAISimulator({ apiKey: secretKey('edenai'), rateLimit: false }),
  ]);
});
afterAll(async () => {
  await Promise.all([oxenSim.close(), edenSim.close()]);
});
afterEach(() => {
  oxenSim.clearRequests();
  edenSim.clearRequests();
});

const oxen = (settings: OxenProviderSettings = {}) =>
  createOxen({ apiKey: oxenSim.apiKey, baseURL: oxenSim.url, mode: 'sync', ...settings });
const edenai = (settings: EdenAIProviderSettings = {}) =>
  createEdenAI({ apiKey: edenSim.apiKey, baseURL: edenSim.url, ...settings });

const oxenRequest: EditRequest = {
  model: 'oxen:qwen-image-edit',
  prompt: 'add a hat',
  images: ['https://example.com/cat.png'],
};
const edenRequest: EditRequest = {
  model: 'edenai:google/gemini-2.5-flash-image',
  prompt: 'add a hat',
  images: ['https://example.com/cat.png'],
};

/** What was thrown or rejected; fails the test when nothing was. */
async function refusal(run: () => unknown): Promise<Error> {
  try {
    await run();
  } catch (error) {
    inspect('bad input: error', error);
    return error as Error;
  }
  throw new Error('expected a refusal, but the call went through');
}

/** An edit through a client with both providers, with the given client options. */
function editWith(request: unknown, options: Partial<RetouchOptions> = {}): () => Promise<unknown> {
  return async () => {
    const retouch = createRetouch({ providers: [oxen(), edenai()], ...options });
    try {
      return await retouch.edit(request as EditRequest);
    } finally {
      await retouch.close();
    }
  };
}

interface BadCase {
  /** What is wrong. */
  name: string;
  run: () => unknown;
  /** The error's class. */
  type: typeof InvalidRequestError | typeof UnsupportedFeatureError | typeof RetouchError;
  /** The field the message must name. */
  field: string;
  /** The fix the message must give. */
  fix: RegExp;
}

const request = (override: Record<string, unknown>, base: EditRequest = oxenRequest) =>
  editWith({ ...base, ...override });
const without = (key: keyof EditRequest) => {
  const { [key]: _dropped, ...rest } = oxenRequest;
  return editWith(rest);
};

const badRequests: BadCase[] = [
  {
    name: 'no model',
    run: without('model'),
    type: InvalidRequestError,
    field: 'model',
    fix: /"provider:model" string such as/,
  },
  {
    name: 'a model that is not a string',
    run: request({ model: 42 }),
    type: InvalidRequestError,
    field: 'model',
    fix: /"provider:model"/,
  },
  {
    name: 'a model without its provider prefix',
    run: request({ model: 'qwen-image-edit' }),
    type: InvalidRequestError,
    field: 'model',
    fix: /e\.g\. "oxen:qwen-image-edit"/,
  },
  {
    name: 'an unknown provider prefix',
    run: request({ model: 'replicate:flux' }),
    type: InvalidRequestError,
    field: 'model',
    fix: /use one of those prefixes, or pass the provider's adapter/,
  },
  {
    name: 'no prompt',
    run: without('prompt'),
    type: InvalidRequestError,
    field: 'prompt',
    fix: /a text instruction such as/,
  },
  {
    name: 'a blank prompt',
    run: request({ prompt: '   ' }),
    type: InvalidRequestError,
    field: 'prompt',
    fix: /describe the edit to make/,
  },
  {
    name: 'a prompt over 32,000 characters',
    run: request({ prompt: 'a'.repeat(32_001) }),
    type: InvalidRequestError,
    field: 'prompt',
    fix: /shorten it/,
  },
  {
    name: 'no images',
    run: without('images'),
    type: InvalidRequestError,
    field: 'images',
    fix: /an array of 1 to 16 input images/,
  },
  {
    name: 'one image not wrapped in an array',
    run: request({ images: 'https://example.com/cat.png' }),
    type: InvalidRequestError,
    field: 'images',
    fix: /wrap a single image in \[ \]/,
  },
  {
    name: 'an empty image list',
    run: request({ images: [] }),
    type: InvalidRequestError,
    field: 'images',
    fix: /pass at least one input image/,
  },
  {
    name: 'seventeen images',
    run: request({ images: Array(17).fill('https://example.com/cat.png') }),
    type: InvalidRequestError,
    field: 'images',
    fix: /at most 16 are allowed, pass fewer/,
  },
  {
    name: 'an image that is a number',
    run: request({ images: [7] }),
    type: InvalidRequestError,
    field: 'images.0',
    fix: /expected an image: an http\(s\) URL/,
  },
  {
    name: 'an image path written as a URL',
    run: request({ images: ['./cat.png'] }),
    type: InvalidRequestError,
    field: 'images.0',
    fix: /pass \{ path: "\.\/cat\.png" \}/,
  },
  {
    name: 'an image file that does not exist',
    run: request({ images: [{ path: '/nonexistent/cat.png' }] }),
    type: InvalidRequestError,
    field: 'images.0',
    fix: /\/nonexistent\/cat\.png/,
  },
  {
    name: 'bytes that are not an image',
    run: request({ images: [new Uint8Array([1, 2, 3, 4])] }),
    type: InvalidRequestError,
    field: 'images.0',
    fix: /PNG, JPEG, WebP or GIF/,
  },
  {
    name: 'a data: URL that is not an image',
    run: request({ images: ['data:text/plain;base64,aGVsbG8='] }),
    type: InvalidRequestError,
    field: 'images.0',
    fix: /must be data:image\/\(png\|jpeg\|webp\|gif\);base64/,
  },
  {
    name: 'an empty Blob',
    run: request({ images: [new Blob([])] }),
    type: InvalidRequestError,
    field: 'images.0',
    fix: /pass a PNG, JPEG, WebP or GIF image/,
  },
  {
    name: 'a file uploaded to another provider',
    run: request({ images: [{ fileId: 'file-1', provider: 'edenai' }] }),
    type: InvalidRequestError,
    field: 'images.0',
    fix: /upload it to oxen or pass the image itself/,
  },
  {
    name: 'a provider file without its id',
    run: request({ images: [{ fileId: '', provider: 'oxen' }] }),
    type: InvalidRequestError,
    field: 'images.0',
    fix: /fileId must be a non-empty string/,
  },
  {
    name: 'a mask that is not an image',
    run: request({ mask: { url: 'https://example.com/m.png' } }),
    type: InvalidRequestError,
    field: 'mask',
    fix: /expected an image/,
  },
  {
    name: 'n of 0',
    run: request({ n: 0 }),
    type: InvalidRequestError,
    field: 'n',
    fix: /omit it for one image/,
  },
  {
    name: 'n of 11',
    run: request({ n: 11 }),
    type: InvalidRequestError,
    field: 'n',
    fix: /send several requests for more/,
  },
  {
    name: 'a fractional n',
    run: request({ n: 1.5 }),
    type: InvalidRequestError,
    field: 'n',
    fix: /whole number from 1 to 10/,
  },
  {
    name: 'a size that is not WxH',
    run: request({ size: 'large' }),
    type: InvalidRequestError,
    field: 'size',
    fix: /"WxH" such as "1024x1024", or "auto"/,
  },
  {
    name: 'an aspect ratio written with a slash',
    run: request({ aspectRatio: '16/9' }),
    type: InvalidRequestError,
    field: 'aspectRatio',
    fix: /"W:H" such as "16:9"/,
  },
  {
    name: 'an unknown quality',
    run: request({ quality: 'ultra' }),
    type: InvalidRequestError,
    field: 'quality',
    fix: /one of "auto", "low", "medium", "high"/,
  },
  {
    name: 'the jpg spelling of jpeg',
    run: request({ outputFormat: 'jpg' }),
    type: InvalidRequestError,
    field: 'outputFormat',
    fix: /use "jpeg", not "jpg"/,
  },
  {
    name: 'a negative seed',
    run: request({ seed: -1 }),
    type: InvalidRequestError,
    field: 'seed',
    fix: /0 or more/,
  },
  {
    name: 'a seed above 2^32 - 1',
    run: request({ seed: 2 ** 32 }),
    type: InvalidRequestError,
    field: 'seed',
    fix: /at most 4294967295/,
  },
  {
    name: 'a negative prompt that is not text',
    run: request({ negativePrompt: 42 }),
    type: InvalidRequestError,
    field: 'negativePrompt',
    fix: /a string describing what to avoid/,
  },
  {
    name: 'a deadline of 0 ms',
    run: request({ timeoutMs: 0 }),
    type: InvalidRequestError,
    field: 'timeoutMs',
    fix: /omit it for no deadline/,
  },
  {
    name: 'a deadline in words',
    run: request({ timeoutMs: 'soon' }),
    type: InvalidRequestError,
    field: 'timeoutMs',
    fix: /a number of milliseconds/,
  },
  {
    name: 'a signal that is not an AbortSignal',
    run: request({ signal: { aborted: false } }),
    type: InvalidRequestError,
    field: 'signal',
    fix: /must be an AbortSignal/,
  },
  {
    name: 'a snake_case option',
    run: request({ aspect_ratio: '1:1' }),
    type: InvalidRequestError,
    field: 'aspect_ratio',
    fix: /did you mean "aspectRatio"/,
  },
  {
    name: 'a provider option at the top level',
    run: request({ guidance: 3 }),
    type: InvalidRequestError,
    field: 'guidance',
    fix: /provider-specific options go under providerOptions\.<provider>/,
  },
  {
    name: 'providerOptions that is not an object',
    run: request({ providerOptions: 'fast' }),
    type: InvalidRequestError,
    field: 'providerOptions',
    fix: /an object keyed by provider id/,
  },
  {
    name: 'a provider id spelled in capitals',
    run: request({ providerOptions: { Oxen: {} } }),
    type: InvalidRequestError,
    field: 'providerOptions.Oxen',
    fix: /provider ids such as "oxen"/,
  },
  {
    name: "a provider's options that are not an object",
    run: request({ providerOptions: { oxen: [1] } }),
    type: InvalidRequestError,
    field: 'providerOptions.oxen',
    fix: /e\.g\. \{ oxen: \{ guidance: 3 \} \}/,
  },
  {
    name: 'a request that is not an object',
    run: editWith(null),
    type: InvalidRequestError,
    field: '(request)',
    fix: /must be an object \{ model, prompt, images/,
  },
  // Provider options, refused by the adapter before its catalogue lookup.
  {
    name: 'Oxen: a responseFormat it does not have',
    run: request({ providerOptions: { oxen: { responseFormat: 'base64' } } }),
    type: InvalidRequestError,
    field: 'providerOptions.oxen.responseFormat',
    fix: /"url" or "b64_json"/,
  },
  {
    name: 'Oxen: reportCost that is not a boolean',
    run: request({ providerOptions: { oxen: { reportCost: 'yes' } } }),
    type: InvalidRequestError,
    field: 'providerOptions.oxen.reportCost',
    fix: /true or false/,
  },
  {
    name: 'Oxen: an empty targetNamespace',
    run: request({ providerOptions: { oxen: { targetNamespace: ' ' } } }),
    type: InvalidRequestError,
    field: 'providerOptions.oxen.targetNamespace',
    fix: /omit it to bill the key owner/,
  },
  {
    name: 'Oxen: num_generations set by hand',
    run: request({ providerOptions: { oxen: { num_generations: 3 } } }),
    type: InvalidRequestError,
    field: 'providerOptions.oxen.num_generations',
    fix: /set "n"/,
  },
  {
    name: 'Oxen: input_image set by hand',
    run: request({ providerOptions: { oxen: { input_image: 'https://x.test/a.png' } } }),
    type: InvalidRequestError,
    field: 'providerOptions.oxen.input_image',
    fix: /pass input images in "images"/,
  },
  {
    name: 'Oxen: aspect_ratio and aspectRatio both set',
    run: request({ aspectRatio: '1:1', providerOptions: { oxen: { aspect_ratio: '16:9' } } }),
    type: InvalidRequestError,
    field: 'providerOptions.oxen.aspect_ratio',
    fix: /keep one/,
  },
  {
    name: 'Oxen: an Oxen file id (Oxen has no uploads)',
    run: request({ images: [{ fileId: 'f-1', provider: 'oxen' }] }),
    type: InvalidRequestError,
    field: 'images.0',
    fix: /pass a public URL, the bytes, or \{ path \}/,
  },
  {
    name: 'Eden AI: a credential in extra_headers',
    run: request(
      { providerOptions: { edenai: { extra_headers: { Authorization: 'Bearer upstream-secret' } } } },
      edenRequest,
    ),
    type: InvalidRequestError,
    field: 'providerOptions.edenai.extra_headers.Authorization',
    fix: /remove it/,
  },
  {
    name: 'Eden AI: extra_headers values that are not strings',
    run: request({ providerOptions: { edenai: { extra_headers: { 'x-trace': 7 } } } }, edenRequest),
    type: InvalidRequestError,
    field: 'providerOptions.edenai.extra_headers',
    fix: /string/,
  },
  {
    name: 'Eden AI: n set under providerOptions',
    run: request({ providerOptions: { edenai: { n: 2 } } }, edenRequest),
    type: InvalidRequestError,
    field: 'providerOptions.edenai.n',
    fix: /with the request's "n"/,
  },
  {
    name: 'Eden AI: metadata that is not an object',
    run: request({ providerOptions: { edenai: { metadata: 'order-7' } } }, edenRequest),
    type: InvalidRequestError,
    field: 'providerOptions.edenai.metadata',
    fix: /an object of arbitrary values/,
  },
  {
    name: 'Eden AI: a user id that is not text',
    run: request({ providerOptions: { edenai: { user: 42 } } }, edenRequest),
    type: InvalidRequestError,
    field: 'providerOptions.edenai.user',
    fix: /a string identifying the end user/,
  },
  // Strict mode: an option the model would drop or adjust, judged from the model family, without a call.
  {
    name: 'strict: a mask for a model without masks',
    run: editWith({ ...edenRequest, mask: pngBytes() }, { strict: true }),
    type: UnsupportedFeatureError,
    field: 'mask',
    fix: /remove "mask", pick a model that takes it, or turn strict off/,
  },
  {
    name: 'strict: n above the model maximum',
    run: editWith({ ...edenRequest, n: 6 }, { strict: true }),
    type: UnsupportedFeatureError,
    field: 'n',
    fix: /remove "n", pick a model that takes it, or turn strict off/,
  },
  {
    name: 'strict: a seed for a model without seeds',
    run: editWith(
      { ...edenRequest, model: 'edenai:openai/gpt-image-2', images: [pngBytes()], seed: 7 },
      { strict: true },
    ),
    type: UnsupportedFeatureError,
    field: 'seed',
    fix: /remove "seed", pick a model that takes it, or turn strict off/,
  },
  {
    name: 'strict: an aspect ratio the model lacks',
    run: editWith({ ...edenRequest, aspectRatio: '7:5' }, { strict: true }),
    type: UnsupportedFeatureError,
    field: 'aspectRatio',
    fix: /remove "aspectRatio", pick a model that takes it, or turn strict off/,
  },
  {
    name: 'strict client: an output format the model lacks',
    run: async () => {
      const retouch = createRetouch({ providers: [edenai()], strict: true });
      try {
        return await retouch.edit({ ...edenRequest, model: 'edenai:google/imagen-4', outputFormat: 'webp' });
      } finally {
        await retouch.close();
      }
    },
    type: UnsupportedFeatureError,
    field: 'outputFormat',
    fix: /remove "outputFormat", pick a model that takes it, or turn strict off/,
  },
  {
    name: 'priority that is not a number',
    run: async () => {
      const retouch = createRetouch({ providers: [oxen(), edenai()] });
      try {
        return await retouch.edit(oxenRequest, { priority: Number.NaN });
      } finally {
        await retouch.close();
      }
    },
    type: RetouchError,
    field: 'priority',
    fix: /a finite number/,
  },
  {
    name: 'resuming something that is not a job snapshot',
    run: async () => {
      const retouch = createRetouch({ providers: [oxen(), edenai()] });
      try {
        return await retouch.resume({ id: 'job_1' });
      } finally {
        await retouch.close();
      }
    },
    type: InvalidRequestError,
    field: 'snapshot.type',
    fix: /pass the object job\.toJSON\(\) returned/,
  },
];

/** Client and provider options that cannot work, refused when the client or the provider is created. */
const construct = (options: () => unknown) => () => createRetouch(options() as RetouchOptions);
const badOptions: BadCase[] = [
  {
    name: 'no providers',
    run: construct(() => ({ providers: [] })),
    type: RetouchError,
    field: 'providers',
    fix: /a non-empty array of provider adapters/,
  },
  {
    name: 'the same provider twice',
    run: () => createRetouch({ providers: [oxen(), oxen()] }),
    type: RetouchError,
    field: 'providers[1]',
    fix: /registered twice/,
  },
  {
    name: 'something that is not an adapter',
    run: construct(() => ({ providers: [{ id: 'x' }] })),
    type: RetouchError,
    field: 'providers[0]',
    fix: /has no edit\(\) method/,
  },
  {
    name: 'a negative maxRetries',
    run: () => createRetouch({ providers: [oxen()], retry: { maxRetries: -1 } }),
    type: RetouchError,
    field: 'retry.maxRetries',
    fix: /a whole number ≥ 0/,
  },
  {
    name: 'maxDelayMs below initialDelayMs',
    run: () => createRetouch({ providers: [oxen()], retry: { initialDelayMs: 500, maxDelayMs: 100 } }),
    type: RetouchError,
    field: 'retry.maxDelayMs',
    fix: /≥ initialDelayMs/,
  },
  {
    name: 'retryUnsafeSubmissions as a string',
    run: construct(() => ({ providers: [oxen()], retry: { retryUnsafeSubmissions: 'yes' } })),
    type: RetouchError,
    field: 'retry.retryUnsafeSubmissions',
    fix: /true or false/,
  },
  {
    name: 'a negative budget',
    run: () => createRetouch({ providers: [oxen()], budget: { maxUsd: -5 } }),
    type: RetouchError,
    field: 'budget.maxUsd',
    fix: /a number of US dollars ≥ 0/,
  },
  {
    name: 'an unknown budget.unknownCost',
    run: construct(() => ({ providers: [oxen()], budget: { maxUsd: 5, unknownCost: 'maybe' } })),
    type: RetouchError,
    field: 'budget.unknownCost',
    fix: /"refuse" or "allow"/,
  },
  {
    name: 'a concurrency of 0',
    run: () => createRetouch({ providers: [oxen()], limits: { oxen: { concurrency: 0 } } }),
    type: RetouchError,
    field: 'limits.oxen.concurrency',
    fix: /a whole number ≥ 1/,
  },
  {
    name: 'a negative rate',
    run: () => createRetouch({ providers: [edenai()], limits: { edenai: { requestsPerSecond: -1 } } }),
    type: RetouchError,
    field: 'limits.edenai.requestsPerSecond',
    fix: /omit it to let the lane adapt/,
  },
  {
    name: 'limits for a provider not registered',
    run: () => createRetouch({ providers: [oxen()], limits: { replicate: { concurrency: 2 } } }),
    type: RetouchError,
    field: 'limits.replicate',
    fix: /registered: oxen/,
  },
  {
    name: 'a fallback without its provider',
    run: () => createRetouch({ providers: [oxen()], fallback: ['gpt-image-2'] }),
    type: RetouchError,
    field: 'fallback[0]',
    fix: /"provider:model", e\.g\./,
  },
  {
    name: 'a fallback on a provider not registered',
    run: () => createRetouch({ providers: [oxen()], fallback: ['edenai:openai/gpt-image-2'] }),
    type: RetouchError,
    field: 'fallback[0]',
    fix: /not registered \(registered: oxen\)/,
  },
  {
    name: 'strict as a string',
    run: construct(() => ({ providers: [oxen()], strict: 'yes' })),
    type: RetouchError,
    field: 'strict',
    fix: /true or false/,
  },
  {
    name: 'onProgress that is not a function',
    run: construct(() => ({ providers: [oxen()], onProgress: 'log' })),
    type: RetouchError,
    field: 'onProgress',
    fix: /a function \(event\) => void/,
  },
  {
    name: 'Oxen: an unknown mode',
    run: () => oxen({ mode: 'stream' as 'sse' }),
    type: RetouchError,
    field: 'mode',
    fix: /"sse", "queue" or "sync"/,
  },
  {
    name: 'Oxen: a poll interval of 0',
    run: () => oxen({ pollIntervalMs: 0 }),
    type: RetouchError,
    field: 'pollIntervalMs',
    fix: /a positive number of milliseconds/,
  },
  {
    name: 'Oxen: a baseURL that is not http(s)',
    run: () => oxen({ baseURL: 'ftp://hub.oxen.ai' }),
    type: RetouchError,
    field: 'baseURL',
    fix: /an http\(s\) URL such as/,
  },
  {
    name: 'Eden AI: an unknown transport',
    run: () => edenai({ transport: 'xml' as 'json' }),
    type: RetouchError,
    field: 'transport',
    fix: /"auto", "json" or "multipart"/,
  },
  {
    name: 'Eden AI: uploads with a multipart-only transport',
    run: () => edenai({ upload: 'always', transport: 'multipart' }),
    type: RetouchError,
    field: 'upload',
    fix: /use transport "auto" or "json", or upload "never"/,
  },
  {
    name: 'Eden AI: the key passed as a header',
    run: () => edenai({ headers: { Authorization: 'Bearer x' } }),
    type: RetouchError,
    field: 'Authorization',
    fix: /pass the API key as \{ apiKey \}/,
  },
  {
    name: 'Eden AI: a negative timeout',
    run: () => edenai({ timeoutMs: -1 }),
    type: RetouchError,
    field: 'timeoutMs',
    fix: /or false for none/,
  },
  {
    name: 'Eden AI: a baseURL that is not a URL',
    run: () => edenai({ baseURL: 'api.edenai.run' }),
    type: RetouchError,
    field: 'baseURL',
    fix: /use e\.g\. "https:\/\/api\.edenai\.run"/,
  },
];

function expectRefused(error: Error, badCase: BadCase): void {
  expect(badCase.type.isInstance(error), `${error.name}: ${error.message}`).toBe(true);
  expect(error.message).toContain(badCase.field);
  expect(error.message).toMatch(badCase.fix);
  if (InvalidRequestError.isInstance(error)) {
    const paths = error.issues.map((issue) => issue.path || '(request)');
    expect(
      paths.some((path) => path === badCase.field || path.startsWith(`${badCase.field}.`)),
      paths.join(),
    ).toBe(true);
  }
  // No network call at all: neither catalogue reads nor submissions.
  expect(oxenSim.requests).toEqual([]);
  expect(edenSim.requests).toEqual([]);
}

describe('bad requests are refused before any network call', () => {
  test('there are at least 40 distinct ones', () => {
    expect(
      new Set([...badRequests, ...badOptions].map((badCase) => badCase.name)).size,
    ).toBeGreaterThanOrEqual(40);
  });
  test.each(badRequests.map((badCase) => [badCase.name, badCase] as const))('%s', async (_name, badCase) => {
    expectRefused(await refusal(badCase.run), badCase);
  });
});

describe('bad client and provider options are refused when created', () => {
  test.each(badOptions.map((badCase) => [badCase.name, badCase] as const))('%s', async (_name, badCase) => {
    expectRefused(await refusal(badCase.run), badCase);
  });
});

describe('refusals that need the catalogue stop after free reads, before anything billable', () => {
  const onlyCatalogueReads = (): void => {
    const all = [...oxenSim.requests, ...edenSim.requests];
    expect(all.length).toBeGreaterThan(0);
    for (const recorded of all) {
      expect(recorded.method).toBe('GET');
      expect(recorded.route).toMatch(/^GET \/(api\/ai\/models|v3\/models|v3\/images\/models)/);
    }
    expect(oxenSim.billableCount + edenSim.billableCount).toBe(0);
  };

  test('strict: an Oxen model without an aspect ratio (its parameters come from its schema)', async () => {
    const error = await refusal(
      editWith(
        { ...oxenRequest, model: 'oxen:xai-grok-imagine-image-edit', aspectRatio: '1:1' },
        { strict: true },
      ),
    );
    expect(UnsupportedFeatureError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/aspectRatio/);
    expect(error.message).toMatch(/remove "aspectRatio", pick a model that takes it, or turn strict off/);
    onlyCatalogueReads();
  });

  test('strict: an Oxen parameter the model does not have', async () => {
    const error = await refusal(
      editWith({ ...oxenRequest, providerOptions: { oxen: { guidance: 3 } } }, { strict: true }),
    );
    expect(UnsupportedFeatureError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/providerOptions\.oxen\.guidance/);
    expect(error.message).toMatch(/turn strict off/);
    onlyCatalogueReads();
  });

  test('a budget too small for the edit (the price comes from the catalogue)', async () => {
    const error = await refusal(
      editWith(
        { ...edenRequest, model: 'edenai:openai/gpt-image-2', images: [pngBytes()] },
        { budget: { maxUsd: 0.01 } },
      ),
    );
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/budget/);
    expect(error.message).toMatch(/raise budget\.maxUsd/);
    onlyCatalogueReads();
  });
});
