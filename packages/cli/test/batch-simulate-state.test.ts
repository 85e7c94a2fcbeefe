import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompareResults } from '@retouch/compare';
import type { BillingReport } from '@retouch/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { SIMULATOR_STATE_DIRECTORY } from '../src/commands/batch.ts';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { spawnCli } from './support/cli-process.ts';
import { expectCliWording, temporaryDirectory } from './support/io.ts';

const children: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of children.splice(0)) await stop();
});

async function journalStates(cwd: string): Promise<string[]> {
  const text = await readFile(join(cwd, 'out', 'journal.jsonl'), 'utf8').catch(() => '');
  const state = new Map<number, string>();
  for (const line of text.split('\n')) {
    try {
      const record = JSON.parse(line) as { type: string; line?: number };
      if (record.line !== undefined) state.set(record.line, record.type);
    } catch {
      // A line torn by the kill.
    }
  }
  return [...state.values()];
}

describe('retouch batch --simulate keeps its simulator state beside the journal', { timeout: 90_000 }, () => {
  it('killed mid-run (kill -9) and run again, resumes the accepted jobs and is billed once per line', async () => {
    const cwd = await temporaryDirectory();
    await copyFile(SAMPLE_IMAGE_PATH, join(cwd, 'photo.png'));
    const lines = Array.from({ length: 6 }, (_, index) =>
      JSON.stringify({ model: 'oxen:qwen-image-edit', prompt: `edit ${index + 1}`, images: ['photo.png'] }),
    );
    await writeFile(join(cwd, 'manifest.jsonl'), `${lines.join('\n')}\n`);
    const argv = [
      'batch',
      'manifest.jsonl',
      '--simulate',
      '--out',
      'out',
      '--oxen-mode',
      'queue',
      '--concurrency',
      '3',
    ];

    const first = spawnCli({ cwd, argv, cleanups: children });
    // Killed while lines wait on accepted jobs and none is between sending and journaling the answer.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const states = await journalStates(cwd);
      if (states.includes('accepted') && !states.includes('sent')) break;
      if (Date.now() > deadline) throw new Error(`no accepted job: ${first.output().stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.child.kill('SIGKILL');
    await first.exited;

    const second = spawnCli({ cwd, argv, cleanups: children });
    expect(await second.exited).toBe(0);
    expectCliWording(second.output().stderr);
    expect(second.output().stdout).toMatch(/6 lines: 6 succeeded, 0 failed \(.*\d+ resumed\)/);
    const results = JSON.parse(await readFile(join(cwd, 'out', 'results.json'), 'utf8')) as CompareResults;
    expect(results.batch?.resumed).toBeGreaterThanOrEqual(1);
    // The simulator's bill, kept across both runs: each line's job was enqueued (and paid) once.
    const bill = JSON.parse(
      await readFile(join(cwd, 'out', SIMULATOR_STATE_DIRECTORY, 'oxen-billing.json'), 'utf8'),
    ) as BillingReport;
    expect(bill.billableRequests).toBe(6);
    expect(bill.byRoute).toEqual({ 'POST /api/ai/queue': 6 });
  });
});
