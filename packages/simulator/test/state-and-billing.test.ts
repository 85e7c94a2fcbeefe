import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BILLING_PATH, type BillingReport, startOxenSimulator } from '../src/index.ts';
import { eventually, samplePngDataUrl } from './helpers.ts';

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});
async function stateDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'retouch-sim-state-'));
  directories.push(directory);
  return directory;
}

describe('a simulator with a state directory', () => {
  it('finishes after a restart the jobs it had accepted, serves their results, and keeps its bill', async () => {
    const state = await stateDirectory();
    const first = await startOxenSimulator({
      stateDirectory: state,
      jobSchedule: { queuedMs: 0, processingMs: 60_000 },
    });
    const enqueued = await fetch(`${first.url}/api/ai/queue`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${first.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'qwen-image-edit', prompt: 'hat', input_image: samplePngDataUrl() }),
    });
    expect(enqueued.status).toBeLessThan(300);
    const { generations } = (await enqueued.json()) as { generations: { generation_id: string }[] };
    const id = generations[0]!.generation_id;
    await first.close();

    const second = await startOxenSimulator({
      stateDirectory: state,
      jobSchedule: { queuedMs: 0, processingMs: 10 },
    });
    try {
      const job = await eventually(async () => {
        const response = await fetch(`${second.url}/api/ai/queue/${id}`, {
          headers: { Authorization: `Bearer ${second.apiKey}` },
        });
        const body = (await response.json()) as { status: string; result_url?: string; url?: string };
        return body.status === 'succeeded' ? body : undefined;
      });
      const resultUrl =
        job.result_url ?? job.url ?? JSON.stringify(job).match(/http:\/\/[^"]+\/files\/[^"]+/)?.[0];
      expect(resultUrl).toContain(second.url);
      expect((await fetch(resultUrl!)).status).toBe(200);
      const bill = (await (await fetch(`${second.url}${BILLING_PATH}`)).json()) as BillingReport;
      expect(bill).toMatchObject({ billableRequests: 1, byRoute: { 'POST /api/ai/queue': 1 } });
      expect(bill.billedUsd).toBeGreaterThan(0);
      expect(second.billing).toEqual(bill);
      // The bill is the simulator's own page: not recorded as provider traffic.
      expect(second.requests.some((request) => request.path === BILLING_PATH)).toBe(false);
    } finally {
      await second.close();
    }
  });

  it('the standalone banner prints the CLI’s environment variables, and the bill on exit', async () => {
    const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
    const state = await stateDirectory();
    const child = spawn(
      process.execPath,
      [bin, '--oxen-port', '0', '--edenai-port', '0', '--openai-port', '0', '--state', state],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (data: Buffer) => {
      output += data.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await eventually(() => (output.includes('Ctrl+C') ? true : undefined), 20_000);
    expect(output).toMatch(/export OXEN_API_KEY=sim-oxen-key OXEN_BASE_URL=http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toMatch(/export EDENAI_API_KEY=sim-edenai-key EDENAI_BASE_URL=http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toContain(`State kept in ${state}`);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('Stopping. Billed:');
    expect(output).toMatch(/Oxen\.ai {2}0 billable requests, \$0\.0000/);
  });
});
