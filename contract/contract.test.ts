import { readdirSync, readFileSync } from 'node:fs';
import { createEdenAI } from '@retouch/provider-edenai';
import type { SimulatorExchange } from '@retouch/simulator';
import { createTestImage, type EdenAISimulator, startEdenAISimulator } from '@retouch/simulator';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EDENAI_PATHS } from '../packages/provider-edenai/src/edenai-api.ts';
import {
  checkExchange,
  contractOperations,
  matchOperation,
  OFF_SPEC_HEADER,
  UNCHECKED_ROUTES,
} from './contract.ts';
import { editDirectly } from './edit-directly.ts';
import { assertTrafficFollowsSpecs, takeContractViolations } from './setup.ts';

/*
 * The contract check, checked: it covers every endpoint the adapters call, with request and answer
 * schemas from the published specs, and it catches a departure from them on either side even when
 * the adapter and the simulator agree with each other.
 */

/** The API paths the Oxen adapter's source calls, parameters as `{param}`. */
function oxenAdapterPaths(): string[] {
  const folder = new URL('../packages/provider-oxen/src/', import.meta.url);
  const paths = new Set<string>();
  for (const file of readdirSync(folder)) {
    const source = readFileSync(new URL(file, folder), 'utf8');
    for (const match of source.matchAll(/['`](\/api\/[a-z_/]+)(\$\{[^}]+\})?/g)) {
      paths.add(match[2] ? `${match[1]}{id}` : match[1]!);
    }
  }
  return [...paths].sort();
}

describe('coverage', () => {
  test('every endpoint the adapters call has a published schema for its answer, and its body when it has one', () => {
    const oxen = oxenAdapterPaths();
    expect(oxen).toEqual([
      '/api/ai/generations',
      '/api/ai/generations/{id}',
      '/api/ai/images/edit',
      '/api/ai/models',
      '/api/ai/models/{id}',
      '/api/ai/queue',
      '/api/ai/queue/{id}',
      '/api/events',
    ]);
    const called = [
      'POST /api/ai/images/edit',
      'POST /api/ai/queue',
      'GET /api/ai/queue',
      'GET /api/ai/queue/gen-1',
      'DELETE /api/ai/queue/gen-1',
      'GET /api/ai/generations',
      'GET /api/ai/generations/gen-1',
      'GET /api/ai/models',
      'GET /api/ai/models/qwen-image-edit',
      `POST ${EDENAI_PATHS.edits}`,
      `POST ${EDENAI_PATHS.upload}`,
      `GET ${EDENAI_PATHS.imageModels}`,
      `GET ${EDENAI_PATHS.models}`,
    ];
    for (const route of called) {
      const [method, path] = route.split(' ') as [string, string];
      const matched = matchOperation(method, path);
      expect(matched, route).toBeDefined();
      expect(Object.keys(matched!.operation.responses), route).toContain('200');
      if (method === 'POST') expect(matched!.operation.request, route).toBeDefined();
    }
    // Left out: the result files, the event stream, which the OpenAPI document does not describe, and
    // the OpenAI-shaped route of the AI SDK bridge's tests, whose provider publishes no document here.
    expect(Object.keys(UNCHECKED_ROUTES)).toEqual([
      'GET /files/{id}',
      'GET /api/events',
      'POST /v1/images/edits',
    ]);
    expect(
      contractOperations()
        .filter((operation) => operation.key.startsWith('POST'))
        .every((operation) => operation.request),
    ).toBe(true);
  });

  test('each derived schema names its source and version', () => {
    for (const file of ['edenai-v3.json', 'oxen-hub.json']) {
      const schema = JSON.parse(readFileSync(new URL(`./schemas/${file}`, import.meta.url), 'utf8')) as {
        $comment: string;
        source: { version: string };
      };
      expect(schema.$comment).toMatch(/^Derived by contract\/derive\.ts from /);
      expect(schema.source.version).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });
});

describe('drift is caught even when the adapter and the simulator agree', () => {
  let sim: EdenAISimulator;
  beforeAll(async () => {
    sim = await startEdenAISimulator({ rateLimit: false });
  });
  afterAll(() => sim.close());

  /** An adapter whose JSON bodies are rewritten on their way out: a stand-in for an adapter that drifted. */
  const drifted = (rewrite: (body: Record<string, unknown>) => void) =>
    createEdenAI({
      apiKey: sim.apiKey,
      baseURL: sim.url,
      transport: 'json',
      fetch: async (input, init) => {
        const request = new Request(input, init);
        if (!request.headers.get('content-type')?.startsWith('application/json')) return fetch(request);
        const body = (await request.json()) as Record<string, unknown>;
        rewrite(body);
        return fetch(new Request(request, { body: JSON.stringify(body) }));
      },
    });

  const edit = {
    model: 'edenai:bfl/flux-kontext-pro',
    prompt: 'x',
    images: ['https://images.example.com/a.png'],
  };

  test('the same edit, undrifted, departs from nothing', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'json' });
    await editDirectly(provider, edit);
    expect(takeContractViolations()).toEqual([]);
  });

  test('the adapter sends user as a number, which the simulator lets through: a violation, and the test would fail', async () => {
    const provider = drifted((body) => {
      body.user = 42;
    });
    const output = await editDirectly(provider, edit);
    expect(output.images).toHaveLength(1);
    expect(takeContractViolations()).toEqual([
      {
        operation: 'POST /v3/images/edits',
        side: 'request',
        problems: expect.arrayContaining(['/user must be string']),
      },
    ]);
    // What the setup file runs after each test:
    const again = drifted((body) => {
      body.user = 42;
    });
    await editDirectly(again, edit);
    expect(() => assertTrafficFollowsSpecs()).toThrow(
      /POST \/v3\/images\/edits request \(Eden AI, Eden AI API V3 3\.0\.0\):\n {4}\/user must be string/,
    );
  });

  test('a JPEG mask in a data: URL, which the simulator takes for a non-OpenAI model: a violation', async () => {
    const provider = drifted((body) => {
      const mask = body.mask as { image_url: string };
      mask.image_url = mask.image_url.replace('data:image/png', 'data:image/jpeg');
    });
    await editDirectly(provider, {
      ...edit,
      images: [createTestImage({ width: 2, height: 2 })],
      mask: createTestImage({ width: 2, height: 2 }),
    });
    const [violation] = takeContractViolations();
    expect(violation).toMatchObject({ operation: 'POST /v3/images/edits', side: 'request' });
    expect(violation!.problems.join('\n')).toContain('/mask/image_url');
  });
});

describe('every exchange is checked, the refused ones too', () => {
  const exchange = (options: {
    status: number;
    body: unknown;
    json: unknown;
    headers?: Record<string, string>;
  }): SimulatorExchange => ({
    request: {
      sequence: 1,
      method: 'POST',
      path: '/api/ai/queue',
      route: 'POST /api/ai/queue',
      query: {},
      headers: { 'content-type': 'application/json', ...options.headers },
      body: options.body,
      authenticated: true,
      billable: false,
      at: 0,
    },
    status: options.status,
    contentType: 'application/json',
    json: options.json,
  });
  const refusal = {
    error: { type: 'invalid_params', title: 'Invalid parameters', detail: 'x' },
    status: 'error',
    status_message: 'invalid_params',
  };

  test('an off-spec request the simulator refused is named, marked refused', () => {
    expect(
      checkExchange(exchange({ status: 400, body: { model: 'm', prompt: 'p', image: 'u' }, json: refusal })),
    ).toEqual([
      {
        operation: 'POST /api/ai/queue',
        side: 'request',
        problems: ['/image is not a field of this body', "(body) must have required property 'input_image'"],
        refused: true,
      },
    ]);
  });

  test('a validation refusal of a request that follows the spec is named on the simulator side, marked refused', () => {
    const [violation] = checkExchange(
      exchange({
        status: 400,
        body: { model: 'm', prompt: 'p', input_image: 'https://x/a.png' },
        json: refusal,
      }),
    );
    expect(violation).toMatchObject({ side: 'response 400', refused: true });
    expect(violation!.problems[0]).toMatch(
      /^the simulator refused a request that follows the published spec/,
    );
  });

  test('an error body of no documented shape is named, refused or not', () => {
    const violation = checkExchange(
      exchange({
        status: 400,
        body: { model: 'm', prompt: 'p', input_image: 'u' },
        json: { error: { kind: 'x' } },
      }),
    ).find((found) => !found.refused);
    expect(violation).toMatchObject({ side: 'response 400' });
    expect(violation!.refused).toBeUndefined();
    expect(violation!.problems[0]).toMatch(/^not one of the documented error bodies/);
  });

  test(`a request marked ${OFF_SPEC_HEADER} by its test is not held to the spec; its answer still is`, () => {
    expect(
      checkExchange(
        exchange({
          status: 200,
          body: { model: 'm', image: 'u' },
          json: {
            generations: [{ generation_id: '0b7e8c1a-4f7e-4a53-9d8e-6f1f2b9c3d4e', status: 'queued' }],
          },
          headers: { [OFF_SPEC_HEADER]: 'testing the parser' },
        }),
      ),
    ).toEqual([]);
  });
});
