import type { OxenSimulator } from '@retouch/simulator';
import { expect, test } from 'vitest';
import { RECORDS_LISTING_DELAY_MS } from '../src/oxen-lost-edit.ts';
import { call, client, provider, received, simulator } from './helpers.ts';

/*
 * `findLostEdit`: an edit another process sent, and stopped before hearing Oxen's answer, looked up
 * in Oxen's records: found (and then resumed, billed once, charged at Oxen's cost), absent once the
 * records would list it, ambiguous, or too early to tell.
 */

const PRICE = 0.03; // qwen-image-edit, per image, in the simulator's catalogue
const request = {
  model: 'oxen:qwen-image-edit',
  prompt: 'Give it a scarf',
  images: ['https://images.example.com/cat.png'],
};

/** The request as the stopped process enqueued it, straight to the simulator. */
async function enqueuedElsewhere(sim: OxenSimulator): Promise<string> {
  const response = await fetch(`${sim.url}/api/ai/queue`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'qwen-image-edit',
      prompt: request.prompt,
      input_image: request.images[0],
    }),
  });
  const { generations } = (await response.json()) as { generations: { generation_id: string }[] };
  return generations[0]!.generation_id;
}

test('found: the generation is resumed through the client, delivered, billed once and charged at Oxen’s cost', async () => {
  const sim = await simulator();
  const sentAt = Date.now();
  const generationId = await enqueuedElsewhere(sim);
  const retouch = client(provider(sim, { mode: 'queue' }), { budget: { maxUsd: 1 } });
  const lost = await retouch.findLostEdit(request, { sentAt, billingKey: 'jobs:7' });
  if (lost.state !== 'found') throw new Error(`expected found, got ${JSON.stringify(lost)}`);
  expect(lost.snapshot).toMatchObject({
    providerJobId: generationId,
    billingKey: 'jobs:7',
    provider: 'oxen',
  });
  const result = await (await retouch.resume(lost.snapshot)).result();
  expect((await result.images[0]!.bytes()).length).toBeGreaterThan(0);
  expect(result.cost).toEqual({ usd: PRICE, source: 'reported' });
  expect(sim.billableCount).toBe(1);
  expect(retouch.stats().spentUsd).toBeCloseTo(PRICE, 6);
});

test('absent: nothing of the request in the records, once they would list it', async () => {
  const sim = await simulator();
  const oxen = provider(sim, { mode: 'queue' });
  const prepared = await call(oxen, request);
  const lost = await oxen.findLostEdit(
    { request: prepared.request, plan: prepared.plan, sentAt: Date.now() - RECORDS_LISTING_DELAY_MS - 1_000 },
    prepared,
  );
  expect(lost).toEqual({ state: 'absent' });
  expect(sim.billableCount).toBe(0);
});

test('too early: nothing listed yet is unknown, with when to ask again', async () => {
  const sim = await simulator();
  const oxen = provider(sim, { mode: 'queue' });
  const prepared = await call(oxen, request);
  const sentAt = Date.now();
  const lost = await oxen.findLostEdit({ request: prepared.request, plan: prepared.plan, sentAt }, prepared);
  expect(lost).toMatchObject({
    state: 'unknown',
    notBefore: sentAt + RECORDS_LISTING_DELAY_MS,
    reason: expect.stringMatching(
      /no generation of qwen-image-edit with this prompt .* may not be listed yet/,
    ),
  });
});

test('ambiguous: two generations could be it, so it cannot be told which, and nothing is claimed', async () => {
  const sim = await simulator();
  const sentAt = Date.now();
  await enqueuedElsewhere(sim);
  await enqueuedElsewhere(sim);
  const oxen = provider(sim, { mode: 'queue' });
  const prepared = await call(oxen, request);
  const lost = await oxen.findLostEdit({ request: prepared.request, plan: prepared.plan, sentAt }, prepared);
  expect(lost).toMatchObject({
    state: 'unknown',
    reason: expect.stringMatching(
      /Oxen lists 2 generations of qwen-image-edit with this prompt .* where this request made 1/,
    ),
  });
  expect(received(sim, 'POST /api/ai/queue')).toHaveLength(2);
});

test('records that cannot be read: unknown, saying why', async () => {
  const sim = await simulator();
  sim.setFaults([{ route: 'GET /api/ai/generations', kind: 'status', status: 401 }]);
  const oxen = provider(sim, { mode: 'queue' });
  const prepared = await call(oxen, request);
  const lost = await oxen.findLostEdit(
    { request: prepared.request, plan: prepared.plan, sentAt: Date.now() - 60_000 },
    prepared,
  );
  expect(lost).toMatchObject({
    state: 'unknown',
    reason: expect.stringMatching(/^Oxen's records could not be read/),
  });
});

test('a generation this provider already accounts for is never taken for the lost one', async () => {
  const sim = await simulator();
  const oxen = provider(sim, { mode: 'queue' });
  const retouch = client(oxen);
  const sentAt = Date.now();
  await retouch.edit(request);
  const prepared = await call(oxen, request);
  const lost = await oxen.findLostEdit(
    {
      request: prepared.request,
      plan: prepared.plan,
      sentAt: Math.min(sentAt, Date.now() - RECORDS_LISTING_DELAY_MS - 1),
    },
    prepared,
  );
  expect(lost).toEqual({ state: 'absent' });
});

test('a sync edit found in the records stays unknown, naming its generation: it has no job to follow', async () => {
  const sim = await simulator();
  const sentAt = Date.now();
  const response = await fetch(`${sim.url}/api/ai/images/edit`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'qwen-image-edit',
      prompt: request.prompt,
      input_image: request.images[0],
    }),
  });
  expect(response.ok).toBe(true);
  const oxen = provider(sim, { mode: 'sync' });
  const prepared = await call(oxen, request);
  const lost = await oxen.findLostEdit({ request: prepared.request, plan: prepared.plan, sentAt }, prepared);
  expect(lost).toMatchObject({
    state: 'unknown',
    reason: expect.stringMatching(
      /^Oxen's records hold it as generation [0-9a-f-]{36} \(succeeded\), but a sync edit has no job on Oxen/,
    ),
  });
  expect(sim.billableCount).toBe(1);
});
