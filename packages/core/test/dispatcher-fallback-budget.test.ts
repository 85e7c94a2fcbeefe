import {
  BudgetExceededError,
  createRetouch,
  type EditRequest,
  InvalidRequestError,
  type ProgressEvent,
  UnsupportedFeatureError,
} from '@retouch/core';
import { describe, expect, test } from 'vitest';
import { createFakeProvider, FakeJobBackend, failures } from './support/fake-provider.ts';

const request = (model: string, extra: Partial<EditRequest> = {}): EditRequest => ({
  model,
  prompt: 'add a hat',
  images: ['https://example.com/cat.png'],
  ...extra,
});

describe('fallback', () => {
  test('tries the models in order and says which one served and which failed', async () => {
    const alpha = createFakeProvider({ id: 'alpha' });
    const beta = createFakeProvider({ id: 'beta' });
    const gamma = createFakeProvider({ id: 'gamma' });
    alpha.script('edit', failures.serverError());
    beta.script('edit', failures.generationFailed('beta'));
    const events: ProgressEvent[] = [];
    const retouch = createRetouch({
      providers: [alpha, beta, gamma],
      fallback: ['beta:model-b', 'gamma:model-c'],
      onProgress: (event) => events.push(event),
    });
    const result = await retouch.edit(request('alpha:model-a'));

    expect(result).toMatchObject({ model: 'gamma:model-c', provider: 'gamma' });
    expect(result.attempts).toEqual([
      { model: 'alpha:model-a', errorName: 'ApiCallError', message: expect.stringMatching(/500/) },
      { model: 'beta:model-b', errorName: 'GenerationFailedError', message: expect.stringMatching(/NSFW/) },
    ]);
    expect([alpha, beta, gamma].map((fake) => fake.callsOf('edit').length)).toEqual([1, 1, 1]);
    expect(
      events.filter((event) => event.type === 'retrying').map((event) => [event.model, event.reason]),
    ).toEqual([
      ['alpha:model-a', expect.stringMatching(/falling back to beta:model-b$/)],
      ['beta:model-b', expect.stringMatching(/falling back to gamma:model-c$/)],
    ]);
    await retouch.close();
  });

  test('a provider job that fails falls back too, and the job follows the new model', async () => {
    const backend = new FakeJobBackend({ queueMs: 5, durationMs: 10 });
    backend.failures.push(failures.insufficientCredits('alpha'));
    const alpha = createFakeProvider({ id: 'alpha', jobs: true, pollIntervalMs: 10, backend });
    const beta = createFakeProvider({ id: 'beta' });
    const retouch = createRetouch({ providers: [alpha, beta], fallback: ['beta:model-b'] });
    const job = await retouch.submit(request('alpha:model-a'));
    expect(job.model).toBe('alpha:model-a');
    const result = await job.result();

    expect(result.model).toBe('beta:model-b');
    expect(result.attempts).toMatchObject([
      { model: 'alpha:model-a', errorName: 'InsufficientCreditsError' },
    ]);
    expect(job.toJSON()).toMatchObject({ model: 'beta:model-b', requestedModel: 'alpha:model-a' });
    await retouch.close();
  });

  test('never for an invalid request', async () => {
    const alpha = createFakeProvider({ id: 'alpha' });
    const beta = createFakeProvider({ id: 'beta' });
    alpha.script('edit', failures.badRequest());
    const retouch = createRetouch({ providers: [alpha, beta], fallback: ['beta:model-b'] });
    await expect(retouch.edit(request('alpha:model-a'))).rejects.toMatchObject({ statusCode: 400 });
    await expect(retouch.edit(request('alpha:model-a', { n: 99 }))).rejects.toSatisfy((error) =>
      InvalidRequestError.isInstance(error),
    );
    expect(beta.calls).toEqual([]);
    await retouch.close();
  });

  test('never after the caller aborted', async () => {
    const alpha = createFakeProvider({ id: 'alpha' });
    const beta = createFakeProvider({ id: 'beta' });
    alpha.script('edit', { hang: true });
    const retouch = createRetouch({ providers: [alpha, beta], fallback: ['beta:model-b'] });
    const controller = new AbortController();
    const pending = retouch.edit(request('alpha:model-a', { signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('enough')), 20);
    await expect(pending).rejects.toThrow('enough');
    expect(beta.calls).toEqual([]);
    await retouch.close();
  });

  test('when every model fails, the last error lists the earlier attempts', async () => {
    const alpha = createFakeProvider({ id: 'alpha' });
    const beta = createFakeProvider({ id: 'beta' });
    alpha.script('edit', failures.serverError());
    beta.script('edit', failures.generationFailed('beta'));
    const retouch = createRetouch({ providers: [alpha, beta], fallback: ['beta:model-b'] });
    const error = await retouch.edit(request('alpha:model-a')).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'GenerationFailedError', provider: 'beta' });
    expect((error as Error).message).toMatch(/earlier attempts failed: alpha:model-a \(ApiCallError\)/);
    await retouch.close();
  });

  test('a fallback naming an unregistered provider is refused when the client is created', () => {
    const alpha = createFakeProvider({ id: 'alpha' });
    expect(() => createRetouch({ providers: [alpha], fallback: ['beta:model-b'] })).toThrow(
      /fallback\[0\] \(beta:model-b\) names provider "beta", which is not registered \(registered: alpha\)/,
    );
  });
});

describe('budget', () => {
  test('an edit that would cross the budget is refused before anything is sent', async () => {
    const fake = createFakeProvider({ estimateUsd: 0.4, latencyMs: 30 });
    const retouch = createRetouch({ providers: [fake], budget: { maxUsd: 1 } });
    const outcomes = await Promise.allSettled([
      retouch.edit(request('fake:model-a')),
      retouch.edit(request('fake:model-a')),
      retouch.edit(request('fake:model-a')),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    const refusal = (outcomes[2] as PromiseRejectedResult).reason;
    expect(BudgetExceededError.isInstance(refusal)).toBe(true);
    expect(refusal).toMatchObject({ maxUsd: 1, committedUsd: 0.8, requestedUsd: 0.4 });
    expect(refusal.message).toMatch(
      /estimated at \$0\.4000, but \$0\.8000 of the \$1\.0000 budget is already spent, possibly billed or reserved/,
    );
    expect(fake.callsOf('edit')).toHaveLength(2);
    expect(retouch.stats()).toMatchObject({ spentUsd: 0.8, reservedUsd: 0 });
    await retouch.close();
  });

  test('amounts in a refusal keep four decimals, as prices are published', async () => {
    const fake = createFakeProvider({ estimateUsd: 0.053 });
    const retouch = createRetouch({ providers: [fake], budget: { maxUsd: 0.1 } });
    await retouch.edit(request('fake:model-a'));
    const refusal = await retouch.edit(request('fake:model-a')).catch((caught: unknown) => caught);
    expect((refusal as Error).message).toBe(
      'Budget exceeded: an edit on fake:model-a is estimated at $0.0530, but $0.0530 of the $0.1000 budget is already spent, possibly billed or reserved; raise budget.maxUsd, or wait for edits in flight to settle',
    );
    const unpriced = createFakeProvider({ id: 'unpriced' });
    const capped = createRetouch({ providers: [unpriced], budget: { maxUsd: 2 } });
    const unknown = await capped.edit(request('unpriced:model-a')).catch((caught: unknown) => caught);
    expect((unknown as Error).message).toContain('so the $2.0000 budget could not be kept');
    await Promise.all([retouch.close(), capped.close()]);
  });

  test('reservations are reconciled with the reported cost, freeing room for more edits', async () => {
    const fake = createFakeProvider({ estimateUsd: 0.4, reportedUsd: 0.1 });
    const retouch = createRetouch({ providers: [fake], budget: { maxUsd: 1 } });
    await Promise.all([retouch.edit(request('fake:model-a')), retouch.edit(request('fake:model-a'))]);
    expect(retouch.stats()).toMatchObject({ spentUsd: 0.2, reservedUsd: 0 });
    const third = await retouch.edit(request('fake:model-a'));
    expect(third.cost).toEqual({ usd: 0.1, source: 'reported' });
    expect(retouch.stats().spentUsd).toBe(0.3);
    await retouch.close();
  });

  test('the estimate scales with n and is reserved while the edit is in flight', async () => {
    const fake = createFakeProvider({ estimateUsd: 0.25, latencyMs: 50 });
    const retouch = createRetouch({ providers: [fake], budget: { maxUsd: 1 } });
    expect(await retouch.estimate(request('fake:model-a', { n: 3 }))).toEqual({
      usd: 0.75,
      source: 'estimated',
    });
    const pending = retouch.edit(request('fake:model-a', { n: 3 }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Sent and not settled: possibly billed, and counted against the cap.
    expect(retouch.stats()).toMatchObject({ possiblyBilledUsd: 0.75, reservedUsd: 0, spentUsd: 0 });
    await expect(retouch.edit(request('fake:model-a', { n: 2 }))).rejects.toSatisfy((error) =>
      BudgetExceededError.isInstance(error),
    );
    await pending;
    expect(fake.callsOf('edit')).toHaveLength(1);
    await retouch.close();
  });

  test('a failure that provably cost nothing releases its reservation; one that may have been billed keeps it', async () => {
    const fake = createFakeProvider({ estimateUsd: 0.3 });
    fake.script('edit', failures.badRequest(), failures.badGateway());
    const retouch = createRetouch({ providers: [fake], budget: { maxUsd: 1 } });
    await expect(retouch.edit(request('fake:model-a'))).rejects.toMatchObject({ statusCode: 400 });
    expect(retouch.stats()).toMatchObject({ spentUsd: 0, reservedUsd: 0 });
    await expect(retouch.edit(request('fake:model-a'))).rejects.toMatchObject({ statusCode: 502 });
    // The 502 came after the request left: it stays possibly billed, its estimate counted.
    expect(retouch.stats()).toMatchObject({ spentUsd: 0, possiblyBilledUsd: 0.3, reservedUsd: 0 });
    const refusal = await retouch.edit(request('fake:model-a', { n: 3 })).catch((caught: unknown) => caught);
    expect(refusal).toMatchObject({ committedUsd: 0.3, requestedUsd: 0.9 });
    await retouch.close();
  });

  test('an edit whose cost is unknown is refused by default, or sent with a warning when allowed', async () => {
    const unpriced = createFakeProvider({ reportedUsd: 0.05 });
    const strict = createRetouch({ providers: [unpriced], budget: { maxUsd: 1 } });
    const refusal = await strict.edit(request('fake:model-a')).catch((caught: unknown) => caught);
    expect(BudgetExceededError.isInstance(refusal)).toBe(true);
    expect((refusal as Error).message).toMatch(/cannot be estimated.*budget\.unknownCost: "allow"/);
    expect(unpriced.callsOf('edit')).toHaveLength(0);
    await strict.close();

    const lenient = createRetouch({ providers: [unpriced], budget: { maxUsd: 1, unknownCost: 'allow' } });
    const result = await lenient.edit(request('fake:model-a'));
    expect(result.warnings).toContainEqual({
      type: 'other',
      message: expect.stringMatching(/publishes no price/),
    });
    expect(lenient.stats().spentUsd).toBe(0.05);
    await lenient.close();
  });

  test('a refused primary does not fall back', async () => {
    const alpha = createFakeProvider({ id: 'alpha', estimateUsd: 5 });
    const beta = createFakeProvider({ id: 'beta', estimateUsd: 0.1 });
    const retouch = createRetouch({
      providers: [alpha, beta],
      budget: { maxUsd: 1 },
      fallback: ['beta:model-b'],
    });
    await expect(retouch.edit(request('alpha:model-a'))).rejects.toSatisfy((error) =>
      BudgetExceededError.isInstance(error),
    );
    expect(beta.calls).toEqual([]);
    await retouch.close();
  });
});

describe('before dispatch', () => {
  test('an invalid request or an unknown provider is refused with InvalidRequestError, sending nothing', async () => {
    const fake = createFakeProvider();
    const retouch = createRetouch({ providers: [fake] });
    const invalid = await retouch
      .edit({ model: 'fake:model-a', prompt: '', images: [] })
      .catch((caught) => caught);
    expect(InvalidRequestError.isInstance(invalid)).toBe(true);
    expect(invalid.issues.map((issue: { path: string }) => issue.path)).toEqual(['prompt', 'images']);

    const unknown = await retouch.edit(request('oxen:qwen-image-edit')).catch((caught) => caught);
    expect(InvalidRequestError.isInstance(unknown)).toBe(true);
    expect(unknown.message).toMatch(
      /model: no provider "oxen" is registered with this client \(registered: fake\)/,
    );
    expect(fake.calls).toEqual([]);
    await retouch.close();
  });

  test("the adapter's warnings reach the result, or refuse the edit in strict mode", async () => {
    const prepareWarnings = [
      { type: 'unsupported-option' as const, option: 'seed' as const, message: 'model-a ignores seed' },
    ];
    const fake = createFakeProvider({ prepareWarnings });
    const lenient = createRetouch({ providers: [fake] });
    const result = await lenient.edit(request('fake:model-a', { seed: 7 }));
    expect(result.warnings).toEqual(prepareWarnings);
    await lenient.close();

    const strict = createRetouch({ providers: [fake], strict: true });
    const error = await strict.edit(request('fake:model-a', { seed: 7 })).catch((caught: unknown) => caught);
    expect(UnsupportedFeatureError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ feature: 'seed', provider: 'fake', model: 'model-a' });
    expect(fake.callsOf('edit')).toHaveLength(1);
    await strict.close();
  });

  test('limits naming an unregistered provider are refused, naming the registered ones', () => {
    const fake = createFakeProvider();
    expect(() => createRetouch({ providers: [fake], limits: { fak: { concurrency: 2 } } })).toThrow(
      /limits\.fak names no registered provider \(registered: fake\)/,
    );
    expect(() => createRetouch({ providers: [fake], limits: { fake: { concurrency: 0 } } })).toThrow(
      /limits\.fake\.concurrency must be a whole number ≥ 1/,
    );
  });

  test('raw responses are redacted: long base64 elided, keys never kept', async () => {
    const fake = createFakeProvider();
    const retouch = createRetouch({ providers: [fake] });
    const result = await retouch.edit(request('fake:model-a'));
    expect(JSON.stringify(result.raw).length).toBeLessThan(400);
    expect(JSON.stringify(result.raw)).toMatch(/more characters elided/);
    await retouch.close();
  });
});
