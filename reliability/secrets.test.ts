/**
 * Secrets: no error message, cause chain, serialized error or result, progress event, job snapshot or
 * log line shows an API key, and no request to a host other than the key's own provider carries it.
 * Every file of this suite is watched the same way (setup.ts); this one drives a mixed workload through
 * both providers at once, logging everything it sees, and first proves the watch catches a planted key.
 */

import { format } from 'node:util';
import { AuthenticationError, createRetouch, type EditRequest, type ProgressEvent } from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';
import { startEdenAISimulator, startOxenSimulator } from '@retouch/simulator';
import { afterEach, describe, expect, test } from 'vitest';
import { pngBytes } from './support/png.ts';
import { findingsOf, inspect, misdirectedCredentials, secretKey } from './support/secrets.ts';

const cleanups: (() => Promise<void>)[] = [];

/** A log line as console.log would print it, checked for keys without cluttering the test output. */
function log(...values: unknown[]): void {
  inspect('log line', format(...values));
}
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the watch itself', () => {
  test('finds a key in a message, a deep cause, a JSON field, a nested object and a log line', () => {
    const key = secretKey('oxen');
    const deep = new Error('outer', { cause: new Error('middle', { cause: new Error(`inner ${key}`) }) });
    const field = Object.assign(new Error('plain message'), { responseBody: { echo: [{ token: key }] } });
    const found = findingsOf(() => {
      inspect('planted: message', new Error(`failed with ${key}`));
      inspect('planted: cause', deep);
      inspect('planted: field', field);
      inspect('planted: event', { type: 'failed', result: { raw: { nested: { value: key } } } });
    });
    const places = found.map((finding) => finding.where);
    for (const where of [
      'planted: message',
      'planted: cause (cause 2)',
      'planted: field',
      'planted: event',
    ]) {
      expect(
        places.some((place) => place.startsWith(where)),
        where,
      ).toBe(true);
    }
  });
});

describe('a mixed workload through both providers, everything logged', () => {
  test('no key anywhere a user can see, and each key only at its own provider', async () => {
    const [oxenSim, edenSim] = await Promise.all([
      startOxenSimulator({ apiKey: secretKey('oxen'), jobSchedule: { queuedMs: 5, processingMs: 20 } }),
      startEdenAISimulator({ apiKey: secretKey('edenai'), rateLimit: false }),
    ]);
    cleanups.push(
      () => oxenSim.close(),
      () => edenSim.close(),
    );
    // Keys from the environment, as most users pass them.
    const saved = { oxen: process.env.OXEN_API_KEY, edenai: process.env.EDENAI_API_KEY };
    process.env.OXEN_API_KEY = oxenSim.apiKey;
    process.env.EDENAI_API_KEY = edenSim.apiKey;
    cleanups.push(async () => {
      process.env.OXEN_API_KEY = saved.oxen;
      process.env.EDENAI_API_KEY = saved.edenai;
      if (saved.oxen === undefined) delete process.env.OXEN_API_KEY;
      if (saved.edenai === undefined) delete process.env.EDENAI_API_KEY;
    });
    oxenSim.setFaults([
      { route: 'POST /api/ai/queue', kind: 'rate-limit', retryAfterSeconds: 0.1, times: 1 },
      { route: 'POST /api/ai/queue', kind: 'status', status: 500, after: 2, times: 1 },
      { route: 'GET /api/ai/queue/:id', kind: 'malformed-json', times: 1 },
      { route: 'POST /api/ai/images/edit', kind: 'job-fails', times: 1, message: 'refused' },
    ]);
    edenSim.setFaults([
      { route: 'POST /v3/images/edits', kind: 'status', status: 503, times: 1 },
      { route: 'POST /v3/images/edits', kind: 'schema-violation', after: 3, times: 1 },
      { route: 'POST /v3/upload', kind: 'reset-before-body', times: 1 },
    ]);
    const queue = createOxen({
      baseURL: oxenSim.url,
      mode: 'queue',
      pollIntervalMs: 20,
      maxPollIntervalMs: 50,
    });
    const sync = createOxen({ baseURL: oxenSim.url, mode: 'sync' });
    const edenai = createEdenAI({ baseURL: edenSim.url, upload: 'auto' });
    const events: ProgressEvent[] = [];
    const clients = [queue, sync].map((oxen) =>
      createRetouch({
        providers: [oxen, edenai],
        retry: { initialDelayMs: 20, maxDelayMs: 100 },
        onProgress: (event) => {
          events.push(event);
          log('progress', JSON.stringify(event));
        },
      }),
    );
    cleanups.push(async () => {
      await Promise.all(clients.map((client) => client.close()));
    });
    const requests: EditRequest[] = [
      { model: 'oxen:qwen-image-edit', prompt: 'add a hat', images: ['https://example.com/a.png'] },
      { model: 'oxen:gpt-image-2', prompt: 'add a hat', images: [pngBytes()], n: 2 },
      { model: 'oxen:flux-kontext-dev', prompt: 'add a hat', images: ['https://example.com/a.png'], seed: 3 },
      { model: 'edenai:openai/gpt-image-2', prompt: 'add a hat', images: [pngBytes()] },
      {
        model: 'edenai:google/gemini-2.5-flash-image',
        prompt: 'add a hat',
        images: ['https://example.com/a.png'],
      },
      {
        model: 'edenai:openai/gpt-image-1-mini',
        prompt: 'add a hat',
        images: [pngBytes({ width: 300, height: 300 })],
      },
      { model: 'edenai:bfl/flux-kontext-pro', prompt: 'add a hat', images: ['https://example.com/a.png'] },
    ];
    let succeeded = 0;
    let failed = 0;
    for (const client of clients) {
      for await (const outcome of client.editMany(requests)) {
        if (outcome.ok) {
          succeeded++;
          log('result', outcome.result, JSON.stringify(outcome.result));
          const bytes = await outcome.result.images[0]!.bytes();
          expect(bytes.length).toBeGreaterThan(0);
        } else {
          failed++;
          log('failed', outcome.error);
          log(String(outcome.error), JSON.stringify(outcome.error));
        }
      }
      const job = await client.submit(requests[0]!);
      log('snapshot', JSON.stringify(job), job.toJSON());
      await job.result().then((result) => inspect('secrets: job result', result));
      log('stats', client.stats());
    }
    const beforeWrongKey = oxenSim.requests.length;
    // A wrong key is refused by the provider, and the refusal does not show it either.
    const wrongKey = secretKey('oxen');
    const wrong = createRetouch({
      providers: [createOxen({ apiKey: wrongKey, baseURL: oxenSim.url, mode: 'sync' })],
    });
    const refusal = await wrong.edit(requests[0]!).catch((error: unknown) => error);
    await wrong.close();
    expect(AuthenticationError.isInstance(refusal)).toBe(true);
    log(refusal);
    expect(JSON.stringify(refusal)).not.toContain(wrongKey);

    expect(succeeded).toBeGreaterThan(5);
    expect(failed).toBeGreaterThan(0);
    expect(events.length).toBeGreaterThan(30);
    // Each simulator saw only its own key (the wrong key's requests aside, which went to its own provider).
    expect(oxenSim.requests.slice(beforeWrongKey).every((request) => !request.authenticated)).toBe(true);
    misdirectedCredentials('secrets: oxen simulator', oxenSim.requests.slice(0, beforeWrongKey));
    misdirectedCredentials('secrets: edenai simulator', edenSim.requests);
    expect(
      edenSim.requests.every(
        (request) => request.authenticated || request.headers.authorization === undefined,
      ),
    ).toBe(true);
  });
});
