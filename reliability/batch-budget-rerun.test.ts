/**
 * `retouch batch --budget-usd`, killed with SIGKILL mid-run and run again: the provider never bills
 * past the cap, and what the summary says was spent plus what it says was possibly billed is exactly
 * what the provider billed. The simulator's bill (`GET /__retouch/billing`) is the truth. Lines the
 * kill caught between their "sent" record and the provider's answer are settled by the rerun from
 * Oxen's records: delivered when Oxen took them, run when they never arrived.
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
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
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
 * Some lines are done, some wait on accepted provider jobs, and the faulted line has failed as
 * possibly billed. The kill then lands a random moment later: anywhere in a line's way, between the
 * ledger's "possibly billed" and the provider's answer included, which the rerun settles from the
 * provider's records.
 */
async function killable(options: { whileSending: boolean }): Promise<boolean> {
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
  const faultedLineDone = [...spend].some(
    ([key, state]) => state === 'possibly-billed' && lineState.get(lineOfKey.get(key) ?? '') === 'done',
  );
  return (
    faultedLineDone &&
    states.filter((type) => type === 'done').length >= 3 &&
    states.includes('accepted') &&
    (!options.whileSending || states.includes('sent'))
  );
}

/** What the simulator billed in all, in US dollars. */
async function billedUsd(): Promise<number> {
  const response = await fetch(`${oxen.url}/__retouch/billing`);
  return ((await response.json()) as { billedUsd: number }).billedUsd;
}

/**
 * Where the kill lands: a random moment once the batch is well under way, or while a line's request
 * is journaled as sent and unanswered (its enqueue slowed, so the request reaches Oxen after the
 * process died).
 */
const KILL_POINTS = [
  { name: 'at a random moment', whileSending: false },
  { name: 'while a line is sent and unanswered', whileSending: true },
] as const;

test.for(KILL_POINTS)(
  'batch kill -9 ($name) and rerun under --budget-usd: billed ≤ cap; spent + possibly billed = billed',
  {
    timeout: 90_000,
  },
  async ({ name, whileSending }) => {
    const lines = Array.from({ length: LINES }, (_, index) =>
      JSON.stringify({ model: 'oxen:qwen-image-edit', prompt: `edit ${index + 1}`, images: ['photo.png'] }),
    );
    await writeFile(join(cwd, 'manifest.jsonl'), `${lines.join('\n')}\n`);
    // One enqueue is accepted and billed, then its connection drops, and Oxen's records, where the
    // provider would find it again, cannot be read: that line may have been billed.
    oxen.setFaults([
      { route: 'POST /api/ai/queue', kind: 'reset-after-body', after: 1, times: 1 },
      { route: 'GET /api/ai/generations', kind: 'status', status: 500 },
      ...(whileSending
        ? [{ route: 'POST /api/ai/queue', kind: 'slow', delayMs: 400, after: 3 } as const]
        : []),
    ]);

    const first = startBatch();
    const deadline = Date.now() + 60_000;
    while (!(await killable({ whileSending }))) {
      if (Date.now() > deadline) throw new Error('the batch never reached a state to kill it in');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const killDelayMs = whileSending ? 0 : Math.round(Math.random() * 400);
    await new Promise((resolve) => setTimeout(resolve, killDelayMs));
    first.child.kill('SIGKILL');
    await first.exited;
    const billedAtKill = oxen.billableCount;
    // Oxen's records are readable again: the rerun looks up what the killed run sent unanswered.
    oxen.setFaults([]);

    const second = startBatch();
    const code = await second.exited;
    const results = JSON.parse(second.stdout()) as {
      summary: { totalCostUsd: number; possiblyBilledUsd: number; succeeded: number; failed: number };
      runs: { status: string; error?: { name: string } }[];
    };
    // Jobs accepted before the kill have finished on the provider by now.
    const billed = await billedUsd();
    const { totalCostUsd, possiblyBilledUsd, succeeded, failed } = results.summary;
    const refused = results.runs.filter((run) => run.error?.name === 'BudgetExceededError').length;
    console.log(
      `batch kill -9 ${name} (${killDelayMs} ms after the kill point) and rerun, --budget-usd ${CAP_USD}, ${LINES} lines at $${PRICE_USD}: ` +
        `spent + possibly billed ${Math.abs(totalCostUsd + possiblyBilledUsd - billed) < 1e-6 ? '=' : '≠'} billed; ` +
        `provider billed $${billed.toFixed(4)} (${oxen.billableCount} requests, ${billedAtKill} before the kill); ` +
        `summary: spent $${totalCostUsd.toFixed(4)} + ~$${possiblyBilledUsd.toFixed(4)} possibly billed; ` +
        `${succeeded} succeeded, ${failed} failed (${refused} refused by the budget); exit ${code}; ` +
        (/^Reconciled .*$/m.exec(second.stderr())?.[0] ?? 'nothing to reconcile'),
    );
    expect(billed).toBeLessThanOrEqual(CAP_USD + 1e-9);
    // The ledger counts exactly what was billed: settled costs, and the estimate of the faulted line,
    // which Oxen billed and whose answer was lost while its records could not be read.
    expect(totalCostUsd + possiblyBilledUsd).toBeCloseTo(billed, 6);
    expect(possiblyBilledUsd).toBeCloseTo(PRICE_USD, 6);
    expect(refused).toBeGreaterThan(0);
    expect(succeeded + failed).toBe(LINES);
  },
);
