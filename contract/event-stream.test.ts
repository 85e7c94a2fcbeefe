import { expect, test } from 'vitest';
import { runTrafficTests } from '../scripts/contract-mutations.ts';
import { checkStreamEvent, STREAM_HEADING } from './event-stream.ts';

/*
 * The contract of Oxen's event stream, checked: each streamed event is held to its documented name
 * and payload, and a renamed completion fails the running test at once, not when it times out.
 */

const route = 'GET /api/events';
const completed = (data: unknown) => ({
  route,
  event: 'media_generation_completed',
  data: JSON.stringify(data),
});

test('documented completions pass; the unrelated events the contract knows pass', () => {
  expect(
    checkStreamEvent(
      completed({
        generation_id: 'g-1',
        status: 'succeeded',
        media_type: 'image',
        model: 'm',
        url: 'https://x/1.png',
      }),
    ),
  ).toEqual([]);
  expect(
    checkStreamEvent(
      completed({
        generation_id: 'g-1',
        status: 'failed',
        media_type: 'image',
        error: 'Insufficient credits',
      }),
    ),
  ).toEqual([]);
  expect(checkStreamEvent({ route, event: 'deployment_status', data: '{"status":"ready"}' })).toEqual([]);
});

test('a renamed event, a renamed payload field and a succeeded event without its url are named', () => {
  const [renamed] = checkStreamEvent({ route, event: 'media_generation_done', data: '{}' });
  expect(renamed!.problems[0]).toMatch(
    /^"media_generation_done" is not an event of GET \/api\/events: Oxen documents "media_generation_completed"/,
  );
  const [payload] = checkStreamEvent(
    completed({ id: 'g-1', status: 'succeeded', media_type: 'image', url: 'u' }),
  );
  expect(payload!.problems).toContain("(body) must have required property 'generation_id'");
  const [withoutUrl] = checkStreamEvent(
    completed({ generation_id: 'g-1', status: 'succeeded', media_type: 'image' }),
  );
  expect(withoutUrl!.problems).toContain("(body) must have required property 'url'");
  expect(
    checkStreamEvent({ route, event: 'media_generation_completed', data: 'not json' })[0]!.problems[0],
  ).toMatch(/not JSON/);
});

test('a renamed completion event fails the test that waits for it within its 2-second timeout, naming the event', {
  timeout: 60_000,
}, async () => {
  // The simulator announces completion under another name; the adapter, listening for the documented
  // one, would hear nothing and read the job again only after 3 s. The test is given 2 s.
  const run = await runTrafficTests({
    mutation: 'oxen-completion-event-simulator',
    files: ['traffic/oxen-traffic.test.ts'],
    extraArguments: ['--testTimeout=2000', '-t', 'told of completion by the event stream'],
  });
  expect(run.failures.map((failure) => failure.test)).toEqual([
    'queued edits: POST /api/ai/queue, then its status told of completion by the event stream',
  ]);
  const message = run.failures[0]!.messages.join('\n');
  expect(message).toContain(STREAM_HEADING);
  expect(message).toContain('"media_generation_done" is not an event of GET /api/events');
  expect(message).not.toMatch(/timed out/i);
});
