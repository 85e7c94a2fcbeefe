/**
 * `retouch batch --budget-usd`, killed with SIGKILL mid-run and run again: the provider never bills
 * past the cap, and what the summary says was spent plus what it says was possibly billed is exactly
 * what the provider billed. The simulator's billable requests are the truth.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OxenSimulator, startOxenSimulator } from '@retouch/simulator';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { SAMPLE_IMAGE_PATH } from '../packages/cli/src/sample.ts';

const bin = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url));
/** The simulator's price of one `oxen:qwen-image-edit` edit. */
const PRICE_USD = 0.03;
const CAP_USD = 0.4;
const LINES = 20;

let cwd: string;
let oxen: OxenSimulator;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'retouch-batch-rerun-'));
  await copyFile(SAMPLE_IMAGE_PATH, join(cwd, 'photo.png'));
  oxen = await startOxenSimulator({ jobSchedule: { queuedMs: 0, processingMs: 500 } });
});
afterEach(async () => {
  await oxen.close();
  await rm(cwd, { recursive: true, force: true });
});

/** Runs the CLI in its own Node process (the real binary, so a signal reaches it). */
function startBatch() {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@retouch/source',
      bin,
      'batch',
      'manifest.jsonl',
      '--out',
      'out',
      '--oxen-mode',
      'queue',
      '--concurrency',
      '3',
      '--budget-usd',
      String(CAP_USD),
      '--json',
    ],
    {
      cwd,
      env: { PATH: process.env.PATH ?? '', OXEN_API_KEY: oxen.apiKey, OXEN_BASE_URL: oxen.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => stdout };
}

interface JournalRecord {
  type: string;
  key?: string;
  billingKey?: string;
  entry?: { key: string; state: string };
}

async function journal(): Promise<JournalRecord[]> {
  const text = await readFile(join(cwd, 'out', 'journal.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as JournalRecord];
    } catch {
      return [];
    }
  });
}

/**
 * Some lines are done and some wait on accepted provider jobs, and no request is between the ledger's
 * "possibly billed" and the provider's answer: a kill there could not be told from a billed edit
 * without the provider's records, which this line of the suite does not read.
 */
async function killable(): Promise<boolean> {
  const records = await journal();
  const lineState = new Map<string, string>();
  const lineOfKey = new Map<string, string>();
  const spend = new Map<string, string>();
  for (const record of records) {
    if (record.type === 'spend') spend.set(record.entry!.key, record.entry!.state);
    else if (record.key !== undefined) {
      lineState.set(record.key, record.type);
      if (record.billingKey !== undefined) lineOfKey.set(record.billingKey, record.key);
    }
  }
  const states = [...lineState.values()];
  const answered = [...spend].every(([key, state]) => {
    if (state !== 'possibly-billed') return true;
    const line = lineOfKey.get(key);
    return line !== undefined && ['accepted', 'done'].includes(lineState.get(line)!);
  });
  return (
    answered &&
    !states.includes('sent') &&
    states.filter((type) => type === 'done').length >= 3 &&
    states.includes('accepted')
  );
}

test('batch kill -9 and rerun under --budget-usd: billed ≤ cap; spent ≤ billed ≤ spent + possibly billed', {
  timeout: 90_000,
}, async () => {
  const lines = Array.from({ length: LINES }, (_, index) =>
    JSON.stringify({ model: 'oxen:qwen-image-edit', prompt: `edit ${index + 1}`, images: ['photo.png'] }),
  );
  await writeFile(join(cwd, 'manifest.jsonl'), `${lines.join('\n')}\n`);
  // One enqueue is accepted and billed, then its connection drops, and Oxen's records, where the
  // provider would find it again, cannot be read: that line may have been billed.
  oxen.setFaults([
    { route: 'POST /api/ai/queue', kind: 'reset-after-body', after: 1, times: 1 },
    { route: 'GET /api/ai/generations', kind: 'status', status: 500 },
  ]);

  const first = startBatch();
  const deadline = Date.now() + 60_000;
  while (!(await killable())) {
    if (Date.now() > deadline) throw new Error('the batch never reached a state to kill it in');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  first.child.kill('SIGKILL');
  await first.exited;
  const billedAtKill = oxen.billableCount;

  const second = startBatch();
  const code = await second.exited;
  const results = JSON.parse(second.stdout()) as {
    summary: { totalCostUsd: number; possiblyBilledUsd: number; succeeded: number; failed: number };
    runs: { status: string; error?: { name: string } }[];
  };
  // Jobs accepted before the kill have finished on the provider by now.
  const billedUsd = Math.round(oxen.billableCount * PRICE_USD * 1e6) / 1e6;
  const { totalCostUsd, possiblyBilledUsd, succeeded, failed } = results.summary;
  const refused = results.runs.filter((run) => run.error?.name === 'BudgetExceededError').length;
  console.log(
    `batch kill -9 and rerun, --budget-usd ${CAP_USD}, ${LINES} lines at $${PRICE_USD}: ` +
      `spent + possibly billed ${Math.abs(totalCostUsd + possiblyBilledUsd - billedUsd) < 1e-6 ? '=' : '>'} billed; ` +
      `provider billed $${billedUsd.toFixed(4)} (${oxen.billableCount} requests, ${billedAtKill} before the kill); ` +
      `summary: spent $${totalCostUsd.toFixed(4)} + ~$${possiblyBilledUsd.toFixed(4)} possibly billed; ` +
      `${succeeded} succeeded, ${failed} failed (${refused} refused by the budget); exit ${code}`,
  );
  expect(billedUsd).toBeLessThanOrEqual(CAP_USD + 1e-9);
  // The ledger never counts less than was billed, and counts more only by lines that may have been
  // billed: the faulted line, and a line the kill caught between its journal record and the
  // provider, if the kill landed there (the journal read and the kill are not one step). Only the
  // provider's records (`retouch ledger`) can tell such a line apart.
  expect(totalCostUsd).toBeLessThanOrEqual(billedUsd + 1e-6);
  expect(totalCostUsd + possiblyBilledUsd).toBeGreaterThanOrEqual(billedUsd - 1e-6);
  expect(possiblyBilledUsd).toBeGreaterThanOrEqual(PRICE_USD - 1e-6);
  expect(refused).toBeGreaterThan(0);
  expect(succeeded + failed).toBe(LINES);
});
