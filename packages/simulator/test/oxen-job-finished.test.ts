import { afterEach, expect, it } from 'vitest';
import { type OxenSimulator, startOxenSimulator } from '../src/index.ts';
import { eventually, readEvents } from './helpers.ts';

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
  const finished: { generationId: string; status: string; eventsSeen: number }[] = [];
  let completionEvents = 0;
  sim = await startOxenSimulator({
    jobSchedule: { queuedMs: 0, processingMs: 5 },
    unrelatedEvents: false,
    onJobFinished: (job) => finished.push({ ...job, eventsSeen: completionEvents }),
  });
  const stream = readEvents(
    await fetch(`${sim.url}/api/events`, { headers: { Authorization: `Bearer ${sim.apiKey}` } }),
  );
  const succeeded = await enqueue(sim, {
    model: 'qwen-image-edit',
    prompt: 'Make the background blue',
    input_image: 'https://example.com/my-photo.jpg',
  });
  const failed = await enqueue(sim, {
    model: 'qwen-image-edit',
    prompt: 'Make the background blue',
    input_image: 'https://example.com/my-photo.jpg',
    aspect_ratio: 'not-a-ratio',
  });
  await stream.waitFor((event) => event.data.includes(succeeded));
  await stream.waitFor((event) => event.data.includes(failed));
  completionEvents = stream.events.length;
  await stream.stop();

  await eventually(() => expect(finished).toHaveLength(2));
  expect(finished).toContainEqual({ generationId: succeeded, status: 'succeeded', eventsSeen: 0 });
  expect(finished).toContainEqual({ generationId: failed, status: 'failed', eventsSeen: 0 });
});
