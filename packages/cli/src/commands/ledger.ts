import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { OxenProvider } from '@retouch/provider-oxen';
import { styles } from '../ansi.ts';
import { BatchJournal } from '../batch/journal.ts';
import { readJournalRecords } from '../batch/journal-records.ts';
import { JOURNAL_FILE } from '../batch/run-batch.ts';
import { type CliContext, wantsColor } from '../context.ts';
import { compareLedger, RANGE_MARGIN_MS } from '../ledger/compare-ledger.ts';
import { type LedgerReport, ledgerReport, ledgerText } from '../ledger/present-ledger.ts';
import { readQueueLedger } from '../ledger/queue-ledger.ts';
import { type RecoveredOrphan, recoverOrphans } from '../ledger/recover-orphans.ts';
import { openProviderSession } from '../session.ts';
import { UsageError } from '../usage-error.ts';
import type { LedgerCommandOptions } from './ledger-args.ts';

/**
 * `retouch ledger --out <dir>`: what a batch's journal recorded against what Oxen billed over a time
 * range (its generation history, with a cost per row): matched, possibly billed, and orphans (billed,
 * never delivered). `--recover` downloads the orphans' outputs into the batch's output directory and
 * settles them. With `--redis`, the same for the ledger a queue's workers keep in Redis. Exits 1 when
 * something does not match.
 */
export async function runLedgerCommand(options: LedgerCommandOptions, context: CliContext): Promise<number> {
  if (options.redis !== undefined) return runQueueLedger({ ...options, redis: options.redis }, context);
  const outDir = resolve(context.cwd, options.out!);
  const path = join(outDir, JOURNAL_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError({
      command: 'ledger',
      message: `${options.out} holds no ${JOURNAL_FILE}: give --out the output directory of a retouch batch run here`,
    });
  }
  const contents = readJournalRecords({ text });
  const sent = [...contents.sends.values()].map((send) => send.at);
  const from =
    options.from ??
    (sent.length > 0 ? Math.min(...sent) : (contents.header?.at ?? Date.now())) - RANGE_MARGIN_MS;
  const to = options.to ?? Date.now();

  const session = await openProviderSession({ providers: ['oxen'], simulate: false, env: context.env });
  let recovered: RecoveredOrphan[] | undefined;
  const journal = await BatchJournal.open({ path, run: false });
  try {
    const oxen = session.adapters[0] as OxenProvider;
    const { generations } = await oxen.listBilledGenerations({ from, to });
    const entries = await journal.spend.entries();
    let comparison = compareLedger({ entries, sends: contents.sends, generations });
    if (options.recover && comparison.orphans.length > 0) {
      recovered = await recoverOrphans({ journal, orphans: comparison.orphans, outDir });
      comparison = compareLedger({
        entries: await journal.spend.entries(),
        sends: contents.sends,
        generations,
      });
    }
    const totals = await journal.spend.totals();
    const report = ledgerReport({
      comparison,
      range: { from, to },
      totals: { settledUsd: totals.settledUsd, possiblyBilledUsd: totals.possiblyBilledUsd },
      ...(recovered ? { recovered } : {}),
    });
    return printLedger({ report, json: options.json, context, subject: 'batch' });
  } finally {
    await journal.close();
    await session.close();
  }
}

/** `retouch ledger --redis <url>`: the queue's shared ledger against what Oxen billed. */
async function runQueueLedger(
  options: LedgerCommandOptions & { redis: string },
  context: CliContext,
): Promise<number> {
  const { DEFAULT_QUEUE_NAME } = await import('@retouch/queue');
  const queue = options.queue ?? DEFAULT_QUEUE_NAME;
  // The key first: nothing is read from Redis for a check that cannot be made.
  const session = await openProviderSession({ providers: ['oxen'], simulate: false, env: context.env });
  try {
    const ledger = await readQueueLedger({
      redis: options.redis,
      queue,
      budgetName: options.budgetName ?? queue,
      ...(options.from !== undefined ? { from: options.from } : {}),
      ...(options.to !== undefined ? { to: options.to } : {}),
    });
    const oxen = session.adapters[0] as OxenProvider;
    const { generations } = await oxen.listBilledGenerations(ledger.range);
    const comparison = compareLedger({ entries: ledger.entries, sends: ledger.sends, generations });
    const report = ledgerReport({
      comparison,
      range: ledger.range,
      totals: { settledUsd: ledger.totals.settledUsd, possiblyBilledUsd: ledger.totals.possiblyBilledUsd },
    });
    return printLedger({ report, json: options.json, context, subject: 'queue' });
  } finally {
    await session.close();
  }
}

function printLedger(options: {
  report: LedgerReport;
  json: boolean;
  context: CliContext;
  subject: 'batch' | 'queue';
}): number {
  const { report, context } = options;
  if (options.json) context.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const style = styles(wantsColor({ stream: context.stdout, env: context.env }));
    context.stdout.write(ledgerText({ report, style, subject: options.subject }));
  }
  return report.ok ? 0 : 1;
}
