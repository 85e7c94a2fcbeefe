import { expect, test } from 'vitest';
import { adapterReadProblems, READS_HEADING } from '../adapter-reads.ts';

/*
 * Each field an adapter reads out of an answer or an event, held against the contract: described by
 * the published spec, and required there (or flagged as assumed, or listed as optional with why).
 */
test('every field an adapter reads is described by the published specs, and required where it is read', async () => {
  const problems = await adapterReadProblems();
  if (problems.length > 0) throw new Error(`${READS_HEADING}\n- ${problems.join('\n- ')}`);
  expect(problems).toEqual([]);
});
