import { expect, test } from 'vitest';
import { failureOf, toJobError } from '../src/job-failure.ts';

test('a failure carries what the budget counts of it as possibly billed to the queue’s handles', () => {
  const timeout = new Error('no answer within 60000 ms');
  timeout.name = 'TimeoutError';
  const recorded = toJobError(timeout, { possiblyBilledUsd: 0.03 });
  const error = failureOf({ jobId: 'job-1', failedReason: recorded.message });
  expect(error.errorName).toBe('TimeoutError');
  expect(error.possiblyBilledUsd).toBe(0.03);
  expect(error.message).toBe(
    'TimeoutError: no answer within 60000 ms (the budget counts ~$0.03 of it as possibly billed)',
  );
  const plain = failureOf({ jobId: 'job-2', failedReason: toJobError(timeout).message });
  expect(plain.possiblyBilledUsd).toBeUndefined();
});
