import { afterEach, expect, test } from 'vitest';
import { createMemorySpendStore, createRetouch, type Retouch } from '../src/index.ts';
import type { LostEditQuery, LostEditSearch, ProviderAdapter } from '../src/provider-utils.ts';
import { createHttpProvider, type ScriptedServer, startScriptedServer } from './support/http-provider.ts';

let server: ScriptedServer | undefined;
let retouch: Retouch | undefined;
afterEach(async () => {
  await retouch?.close();
  await server?.close();
  retouch = undefined;
  server = undefined;
});

const request = { model: 'wire:model', prompt: 'add a hat', images: ['https://example.com/cat.png'] };

/** The scripted provider, answering `findLostEdit` with `answers` in turn and recording what it is asked. */
function withRecords(answers: LostEditSearch[]): { adapter: ProviderAdapter; asked: LostEditQuery[] } {
  const asked: LostEditQuery[] = [];
  const adapter: ProviderAdapter = {
    ...createHttpProvider({ baseURL: server!.url, jobs: true, pollIntervalMs: 10 }),
    prepare: async (prepared) => ({ plan: { prompt: prepared.prompt }, warnings: [] }),
    estimateCost: async () => ({ usd: 0.05, source: 'estimated' }),
    findLostEdit: async (lost) => {
      asked.push(lost);
      return answers.shift() ?? { state: 'unknown', reason: 'no more answers' };
    },
  };
  return { adapter, asked };
}

/** A job the provider took from a process that stopped before it heard back. */
async function jobAcceptedElsewhere(): Promise<string> {
  const response = await fetch(`${server!.url}/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: request.prompt }),
  });
  return ((await response.json()) as { id: string }).id;
}

test('a found edit comes back as a snapshot that resumes it and settles its billing key once, at the reported cost', async () => {
  server = await startScriptedServer();
  const providerJobId = await jobAcceptedElsewhere();
  const { adapter, asked } = withRecords([{ state: 'found', providerJobId }]);
  const store = createMemorySpendStore();
  await store.reserve({ key: 'queue:job-7', model: 'wire:model', usd: 0.05, maxUsd: 1 });
  await store.markPossiblyBilled({ key: 'queue:job-7' });
  retouch = createRetouch({ providers: [adapter], budget: { maxUsd: 1, store } });
  const sentAt = Date.now() - 60_000;

  const lost = await retouch.findLostEdit(request, { sentAt, billingKey: 'queue:job-7' });

  expect(asked).toMatchObject([{ sentAt, plan: { prompt: 'add a hat' }, request: { model: 'wire:model' } }]);
  if (lost.state !== 'found') throw new Error(`expected found, got ${JSON.stringify(lost)}`);
  expect(lost.snapshot).toMatchObject({
    type: 'retouch.edit-job',
    billingKey: 'queue:job-7',
    provider: 'wire',
    requestedModel: 'wire:model',
    providerJobId,
    createdAt: sentAt,
    estimatedCost: { usd: 0.05, source: 'estimated' },
  });
  const result = await (await retouch.resume(lost.snapshot)).result();
  expect(result.cost).toEqual({ usd: 0.02, source: 'reported' });
  expect(server.billed).toHaveLength(1);
  expect(await store.entries()).toMatchObject([
    { key: 'queue:job-7', state: 'settled', costUsd: 0.02, costSource: 'reported', providerJobId },
  ]);
});

test('absent and unknown answers pass through; nothing billable is sent', async () => {
  server = await startScriptedServer();
  const { adapter } = withRecords([
    { state: 'absent' },
    { state: 'unknown', reason: 'two generations could be it' },
  ]);
  retouch = createRetouch({ providers: [adapter] });
  const sentAt = Date.now() - 60_000;
  expect(await retouch.findLostEdit(request, { sentAt })).toEqual({ state: 'absent' });
  expect(await retouch.findLostEdit(request, { sentAt })).toEqual({
    state: 'unknown',
    reason: 'two generations could be it',
  });
  expect(server.billed).toEqual([]);
});

test('an answer of too early is waited out and asked once more', async () => {
  server = await startScriptedServer();
  const { adapter, asked } = withRecords([
    { state: 'unknown', reason: 'not listed yet', notBefore: Date.now() + 200 },
    { state: 'absent' },
  ]);
  retouch = createRetouch({ providers: [adapter] });
  expect(await retouch.findLostEdit(request, { sentAt: Date.now() })).toEqual({ state: 'absent' });
  expect(asked).toHaveLength(2);
});

test('a provider without records answers unknown, saying so', async () => {
  server = await startScriptedServer();
  retouch = createRetouch({ providers: [createHttpProvider({ baseURL: server.url, jobs: true })] });
  expect(await retouch.findLostEdit(request, { sentAt: Date.now() })).toEqual({
    state: 'unknown',
    reason: 'wire keeps no records of past edits that Retouch can look the edit up in',
  });
});

test('a sentAt that is not a time is refused before any lookup', async () => {
  server = await startScriptedServer();
  const { adapter, asked } = withRecords([{ state: 'absent' }]);
  retouch = createRetouch({ providers: [adapter] });
  await expect(retouch.findLostEdit(request, { sentAt: Number.NaN })).rejects.toThrow(
    'findLostEdit: sentAt must be the epoch milliseconds the edit was sent at, got NaN',
  );
  expect(asked).toEqual([]);
});

test('an adapter with findLostEdit but no status is refused at registration', () => {
  const adapter: ProviderAdapter = {
    id: 'records',
    specificationVersion: 2,
    edit: async () => ({ images: [], warnings: [], raw: {} }),
    findLostEdit: async () => ({ state: 'absent' }),
  };
  expect(() => createRetouch({ providers: [adapter] })).toThrow(
    'has findLostEdit() but no status(), so an edit it finds cannot be followed',
  );
});
