import type { EditJobSnapshot, SpendEntry } from '@retouch/core';
import { OXEN_RECORDS_LISTING_DELAY_MS, type OxenBilledGeneration } from '@retouch/provider-oxen';
import { describeError } from '../describe-error.ts';
import { compareLedger, RANGE_MARGIN_MS } from '../ledger/compare-ledger.ts';
import { deliverGeneration } from '../ledger/deliver-generation.ts';
import type { BatchJournal, BatchLineRun } from './journal.ts';
import type { JournalSend } from './journal-records.ts';

/** Reads the generations Oxen took over a range of epoch milliseconds (its generation history). */
export type OxenRecordsReader = (range: {
  from: number;
  to: number;
  signal?: AbortSignal;
}) => Promise<readonly OxenBilledGeneration[]>;

/** One line an earlier run sent to Oxen and stopped before recording the answer. */
interface UnansweredSend {
  key: string;
  line: number;
  send: JournalSend;
  entry: SpendEntry;
}

/** What reconciliation found, by count. */
interface Findings {
  delivered: number;
  following: number;
  failed: number;
  released: number;
  ambiguous: number;
  undelivered: number;
}

/**
 * Settles, before a run sends anything, the lines an earlier run sent to Oxen and stopped (a crash,
 * `kill -9`) before recording the answer, by looking each up in Oxen's own records with the
 * ledger's matching (`compareLedger`): a succeeded generation is downloaded into the batch and
 * settled at Oxen's cost; one still queued or running is recorded as the line's provider job, so
 * the run follows it to the end; a request Oxen never listed is released and the line runs; a
 * request two generations could be stays possibly billed. Eden AI keeps no such records: its lines
 * stay possibly billed. Each finding is told through `notify`; records that cannot be read leave
 * every line possibly billed.
 */
export async function reconcileSends(options: {
  journal: BatchJournal;
  outDir: string;
  /** Oxen's records; without them, nothing is looked up. */
  readOxenRecords: OxenRecordsReader | undefined;
  notify: (message: string) => void;
  signal?: AbortSignal | undefined;
}): Promise<void> {
  const { journal, notify } = options;
  await releaseNeverSent(journal);
  const unanswered = unansweredOxenSends(journal);
  if (unanswered.length === 0 || !options.readOxenRecords) return;
  const count = `${unanswered.length} possibly billed line${unanswered.length === 1 ? '' : 's'}`;

  const latest = Math.max(...unanswered.map((item) => item.send.at));
  const waitMs = latest + OXEN_RECORDS_LISTING_DELAY_MS - Date.now();
  if (waitMs > 0) {
    notify(
      `Waiting ${Math.ceil(waitMs / 1000)} s for Oxen's records to list what an earlier run sent just before it stopped`,
    );
    await sleep({ ms: waitMs, signal: options.signal });
  }
  if (options.signal?.aborted) return; // stopped while waiting: the lines stay as they are
  let generations: readonly OxenBilledGeneration[];
  try {
    const earliest = Math.min(...unanswered.map((item) => item.send.at));
    generations = await options.readOxenRecords({
      from: earliest - RANGE_MARGIN_MS,
      to: Date.now(),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    const { message } = describeError(error);
    notify(
      `Could not read Oxen's records (${message}): ${count} ${unanswered.length === 1 ? 'stays' : 'stay'} possibly billed; run the batch again later, or see retouch ledger --out <dir>`,
    );
    return;
  }
  const comparison = compareLedger({
    entries: await journal.spend.entries(),
    sends: journal.sends,
    generations,
  });
  const findings: Findings = {
    delivered: 0,
    following: 0,
    failed: 0,
    released: 0,
    ambiguous: 0,
    undelivered: 0,
  };
  for (const item of unanswered) {
    const orphan = comparison.orphans.find((found) => found.entry?.key === item.entry.key);
    const unmatched = comparison.possiblyBilled.find((found) => found.entry.key === item.entry.key);
    if (orphan) await settleFound({ item, generation: orphan.generation, findings, ...options });
    else if (unmatched?.reason === 'unbilled' && unmatched.generation) {
      await settleFailed({ item, generation: unmatched.generation, journal });
      findings.failed++;
    } else if (unmatched?.reason === 'absent') {
      await journal.spend.release({ key: item.entry.key });
      findings.released++;
    } else {
      findings.ambiguous++;
      notify(
        `Line ${item.line}: ${unmatched?.candidates ?? 'several'} generations in Oxen's records could be its request (same model and prompt, taken at about the same time), so it stays possibly billed`,
      );
    }
  }
  notify(`Reconciled ${count} with Oxen's records: ${summary(findings)}`);
}

/** The findings as words, e.g. "2 billed (delivered), 1 never arrived (will run)". */
function summary(findings: Findings): string {
  const parts = [
    [findings.delivered, 'billed (delivered)'],
    [findings.following, 'still running at Oxen (followed)'],
    [findings.failed, 'failed at Oxen'],
    [findings.released, 'never arrived (will run)'],
    [findings.ambiguous, 'ambiguous (stay possibly billed)'],
    [findings.undelivered, 'billed, output not delivered (stay possibly billed)'],
  ] as const;
  return parts
    .filter(([number]) => number > 0)
    .map(([number, words]) => `${number} ${words}`)
    .join(', ');
}

/** A billed generation found for the line: delivered when finished, else followed as its job. */
async function settleFound(options: {
  item: UnansweredSend;
  generation: OxenBilledGeneration;
  findings: Findings;
  journal: BatchJournal;
  outDir: string;
  notify: (message: string) => void;
}): Promise<void> {
  const { item, generation, findings, journal } = options;
  if (generation.status === 'queued' || generation.status === 'processing') {
    await journal.append({
      type: 'accepted',
      key: item.key,
      line: item.line,
      snapshot: snapshotOf({ item, generation }),
      at: Date.now(),
    });
    findings.following++;
    return;
  }
  if (generation.status !== 'succeeded') {
    await settleFailed({ item, generation, journal });
    findings.failed++;
    return;
  }
  const delivered = await deliverGeneration({
    journal,
    generation,
    line: item.line,
    key: item.key,
    entry: item.entry,
    outDir: options.outDir,
  });
  if (delivered.problem === undefined) findings.delivered++;
  else {
    findings.undelivered++;
    options.notify(
      `Line ${item.line}: Oxen billed generation ${generation.generationId}, but ${delivered.problem}`,
    );
  }
}

/** A generation Oxen took and failed: settled at what Oxen charged, the line failed with its reason. */
async function settleFailed(options: {
  item: UnansweredSend;
  generation: OxenBilledGeneration;
  journal: BatchJournal;
}): Promise<void> {
  const { item, generation, journal } = options;
  const costUsd = generation.costUsd ?? 0;
  await journal.spend.settle({
    key: item.entry.key,
    model: item.entry.model,
    usd: costUsd,
    source: 'reported',
    providerJobId: generation.generationId,
  });
  const run: BatchLineRun = {
    line: item.line,
    prompt: item.send.prompt ?? '',
    model: item.entry.model,
    status: 'failed',
    images: [],
    warnings: [],
    retries: 0,
    costUsd,
    costSource: 'reported',
    jobId: generation.generationId,
    error: {
      name: 'GenerationFailedError',
      message: `Oxen's records say generation ${generation.generationId} ${generation.status === 'cancelled' ? 'was cancelled' : 'failed'}; run the batch again with --retry-failed to send the line again`,
    },
  };
  await journal.append({ type: 'done', key: item.key, line: item.line, run, at: Date.now() });
}

/** The line's job as a snapshot the run resumes: the generation Oxen is still working on. */
function snapshotOf(options: { item: UnansweredSend; generation: OxenBilledGeneration }): EditJobSnapshot {
  const { entry, send } = options.item;
  return {
    type: 'retouch.edit-job',
    version: 1,
    id: entry.key,
    billingKey: entry.key,
    status: 'running',
    requestedModel: entry.model,
    model: entry.model,
    provider: 'oxen',
    providerJobId: options.generation.generationId,
    createdAt: send.at,
    updatedAt: Date.now(),
    estimatedCost: { usd: entry.estimateUsd, source: 'estimated' },
    warnings: [],
    attempts: [],
  };
}

/**
 * The Oxen lines whose last send is unanswered: journaled as sent, possibly billed in the ledger, with
 * the model and prompt the records are matched on.
 */
function unansweredOxenSends(journal: BatchJournal): UnansweredSend[] {
  const unanswered: UnansweredSend[] = [];
  for (const [key, state] of journal.lines) {
    if (state.status !== 'sent' || state.billingKey === undefined) continue;
    const entry = journal.spend.entry(state.billingKey);
    const send = journal.sends.get(state.billingKey);
    if (entry?.state !== 'possibly-billed' || !send || send.prompt === undefined) continue;
    if (!entry.model.startsWith('oxen:')) continue;
    unanswered.push({ key, line: state.line, send, entry });
  }
  return unanswered;
}

/**
 * Releases the entries a stopped run marked possibly billed and never journaled as sent: a request
 * leaves only once its send is on disk, after the entry, so these never left. A fallback attempt's
 * entry (`<key>#<n>`) goes with its edit's send.
 */
async function releaseNeverSent(journal: BatchJournal): Promise<void> {
  for (const entry of await journal.spend.entries()) {
    if (entry.state !== 'possibly-billed') continue;
    const billingKey = entry.key.replace(/#\d+$/, '');
    if (!journal.sends.has(billingKey)) await journal.spend.release({ key: entry.key });
  }
}

function sleep(options: { ms: number; signal: AbortSignal | undefined }): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, options.ms);
    function done(): void {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', done);
      resolve();
    }
    options.signal?.addEventListener('abort', done, { once: true });
  });
}
