import { afterEach, expect, it } from 'vitest';
import { type OxenSimulator, startOxenSimulator } from '../src/index.ts';
import { readEvents } from './helpers.ts';

let sim: OxenSimulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function enqueue(server: OxenSimulator, body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${server.url}/api/ai/queue`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.apiKey}` },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { generations: { generation_id: string }[] };
  return json.generations[0]!.generation_id;
}

it('reports each queued job as it finishes, before its completion event goes out', async () => {
  const finished: { generationId: string; status: string; at: number }[] = [];
  sim = await startOxenSimulator({
    jobSchedule: { queuedMs: 0, processingMs: 5 },
    unrelatedEvents: false,
    onJobFinished: (job) => finished.push({ ...job, at: performance.now() }),
  });
  const stream = readEvents(
    await fetch(`${sim.url}/api/events`, { headers: { Authorization: `Bearer ${sim.apiKey}` } }),
  );
  const request = {
    model: 'qwen-image-edit',
    prompt: 'Make the background blue',
    input_image: 'https://example.com/my-photo.jpg',
  };
  const succeeded = await enqueue(sim, request);
  const failed = await enqueue(sim, { ...request, aspect_ratio: 'not-a-ratio' });
  const received = new Map<string, number>();
  for (const id of [succeeded, failed]) {
    await stream.waitFor((event) => event.data?.includes(id) === true);
    received.set(id, performance.now());
  }
  await stream.stop();

  expect(
    finished
      .map(({ generationId, status }) => ({ generationId, status }))
      .sort((a, b) => a.status.localeCompare(b.status)),
  ).toEqual([
    { generationId: failed, status: 'failed' },
    { generationId: succeeded, status: 'succeeded' },
  ]);
  for (const job of finished) expect(job.at).toBeLessThanOrEqual(received.get(job.generationId)!);
});

it('does not report a cancelled job', async () => {
  const finished: string[] = [];
  // Queued long enough for the cancel to reach it on a busy machine; the wait below outlasts the whole
  // schedule, so a cancelled job that still ran would be reported before the check.
  const schedule = { queuedMs: 1_000, processingMs: 5 };
  sim = await startOxenSimulator({
    jobSchedule: schedule,
    onJobFinished: (job) => finished.push(job.generationId),
  });
  const enqueuedAt = Date.now();
  const id = await enqueue(sim, {
    model: 'qwen-image-edit',
    prompt: 'Make the background blue',
    input_image: 'https://example.com/my-photo.jpg',
  });
  await fetch(`${sim.url}/api/ai/queue/${id}`, {
    method: 'DELETE',
    headers: { Authorization: `Bearer ${sim.apiKey}` },
  });
  const scheduleEnd = enqueuedAt + schedule.queuedMs + schedule.processingMs;
  await new Promise((resolve) => setTimeout(resolve, scheduleEnd + 250 - Date.now()));
  expect(sim.jobStatus(id)).toBe('cancelled');
  expect(finished).toEqual([]);
});
