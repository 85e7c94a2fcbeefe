import { ApiCallError, RateLimitError } from '@retouch/core';
import { PossiblyBilledError } from '@retouch/queue';
import { describe, expect, it } from 'vitest';
import { SpendLedger } from '../../core/src/dispatcher/budget.ts';
import { decideRetry, defaultRetryOptions } from '../../core/src/dispatcher/retry.ts';
import { throwIfStrict } from '../../core/src/dispatcher/strict-mode.ts';
import { failedGenerationError, parseOxenErrorBody } from '../../provider-oxen/src/oxen-error.ts';
import { inCliWords, LIBRARY_ONLY_WORDING } from '../src/cli-words.ts';
import { describeError } from '../src/describe-error.ts';

/** The message a library error carries, caught from the code that throws it. */
async function messageOf(action: () => unknown): Promise<string> {
  try {
    await action();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the action did not throw');
}

function expectCliWords(library: string, fix: string | RegExp): string {
  const cli = inCliWords(library);
  for (const pattern of LIBRARY_ONLY_WORDING) expect(cli).not.toMatch(pattern);
  if (typeof fix === 'string') expect(cli).toContain(fix);
  else expect(cli).toMatch(fix);
  return cli;
}

const apiError = (statusCode: number, extra: { provablyNotProcessed?: boolean } = {}) =>
  new (statusCode === 429 ? RateLimitError : ApiCallError)({
    message: `oxen: ${statusCode}`,
    provider: 'oxen',
    url: 'https://example.invalid/edit',
    method: 'POST',
    statusCode,
    isRetryable: true,
    ...extra,
  });

describe('library errors in the CLI’s words', () => {
  it('budget refusals name --unknown-cost allow, --price <model>=<usd> and --budget-usd', async () => {
    const unpriced = await messageOf(() =>
      new SpendLedger({ maxUsd: 2 }).reserve({
        key: 'k',
        model: 'edenai:bfl/flux-kontext-max',
        estimate: undefined,
      }),
    );
    expect(unpriced).toContain('budget.unknownCost');
    const cli = expectCliWords(unpriced, '--unknown-cost allow');
    expect(cli).toContain('--price edenai:bfl/flux-kontext-max=<usd per image>');

    const ledger = new SpendLedger({ maxUsd: 0.05 });
    await ledger.reserve({ key: 'a', model: 'oxen:a', estimate: { usd: 0.04, source: 'estimated' } });
    const over = await messageOf(() =>
      ledger.reserve({ key: 'b', model: 'oxen:a', estimate: { usd: 0.04, source: 'estimated' } }),
    );
    expect(over).toContain('budget.maxUsd');
    expectCliWords(over, 'raise --budget-usd');
  });

  it('retry decisions name --max-retries, and a submission that may be billed is not advised to be resent blindly', () => {
    const exhausted = decideRetry({
      error: apiError(503),
      operation: 'read',
      retriesSoFar: 2,
      options: defaultRetryOptions,
    });
    expect(exhausted.reason).toContain('retry.maxRetries');
    expectCliWords(exhausted.reason, '(--max-retries is 2)');

    const rateLimited = decideRetry({
      error: apiError(429),
      operation: 'read',
      retriesSoFar: 0,
      rateLimitRetriesSoFar: 10,
      options: defaultRetryOptions,
    });
    expectCliWords(rateLimited.reason, '--concurrency');

    const unsafe = decideRetry({
      error: apiError(502),
      operation: 'submission',
      retriesSoFar: 0,
      options: defaultRetryOptions,
    });
    expect(unsafe.reason).toContain('retry.retryUnsafeSubmissions');
    expectCliWords(unsafe.reason, '--retry-failed');

    const allowed = decideRetry({
      error: apiError(502),
      operation: 'submission',
      retriesSoFar: 0,
      options: { ...defaultRetryOptions, retryUnsafeSubmissions: true },
    });
    expectCliWords(allowed.reason, 'unsafe resubmissions are allowed');
  });

  it('an unknown Oxen model points to retouch models', () => {
    const body = parseOxenErrorBody(404, { error: { message: 'Model not found: qwen-image-edt' } });
    expect(body?.message).toContain('listModels()');
    expectCliWords(body!.message!, 'retouch models');
    const failed = failedGenerationError({
      generationId: 'g1',
      modelId: 'qwen-image-edt',
      providerMessage: 'Model not found: qwen-image-edt',
    } as never);
    expectCliWords(failed.message, 'retouch models');
  });

  it('a possibly billed queued edit names --resend-possibly-billed', () => {
    const error = new PossiblyBilledError({ jobId: 'j1', model: 'oxen:a', sentAt: 0 });
    expect(error.message).toContain('resendPossiblyBilled');
    expectCliWords(describeError(error).message, '--resend-possibly-billed');
  });

  it('a strict refusal names --strict', async () => {
    const message = await messageOf(() =>
      throwIfStrict({
        request: { model: 'oxen:a', provider: 'oxen', modelId: 'a' } as never,
        warnings: [{ type: 'unsupported-option', option: 'seed', message: 'dropped' } as never],
      }),
    );
    expectCliWords(message, 'drop --strict');
  });

  it('leaves text without library advice as it is', () => {
    expect(inCliWords('ApiCallError: edenai: rate limited (429)')).toBe(
      'ApiCallError: edenai: rate limited (429)',
    );
  });
});
