import { formatUsd } from '@retouch/compare';
import { roundUsd } from '@retouch/core';
import type { Styles } from '../ansi.ts';
import type { LedgerComparison, UnmatchedReason } from './compare-ledger.ts';
import type { RecoveredOrphan } from './recover-orphans.ts';

/** A possibly billed line's reason, as the table says it. */
const UNMATCHED_WORDS: Record<UnmatchedReason, string> = {
  absent: "not found in Oxen's records",
  ambiguous: "two or more generations in Oxen's records could be it",
  unbilled: 'Oxen took it and reports no charge',
  unmatchable: 'the journal holds too little of the request to look for it',
};

/** What `retouch ledger --json` prints. */
export interface LedgerReport {
  /** The range read from Oxen's records, ISO times. */
  range: { from: string; to: string };
  /** The ledger's money over every provider, in US dollars. */
  ledger: { settledUsd: number; possiblyBilledUsd: number };
  /** What Oxen billed for the batch's generations in the range, in US dollars. */
  providerBilledUsd: number;
  matched: { line?: number; generationId: string; costUsd: number }[];
  costDiffers: { line?: number; generationId: string; ledgerUsd: number; providerUsd: number }[];
  /** Why each stays possibly billed: see {@link UnmatchedReason}. */
  possiblyBilled: { line?: number; billingKey: string; estimateUsd: number; reason: UnmatchedReason }[];
  orphans: { line?: number; generationId: string; status: string; costUsd: number }[];
  missing: { line?: number; billingKey: string; costUsd: number }[];
  /** Generations in the range that are not the batch's. */
  others: number;
  /** With `--recover`: what was recovered. */
  recovered?: RecoveredOrphan[];
  /** True when everything matched. */
  ok: boolean;
}

/** The comparison as {@link LedgerReport}. */
export function ledgerReport(options: {
  comparison: LedgerComparison;
  range: { from: number; to: number };
  totals: { settledUsd: number; possiblyBilledUsd: number };
  recovered?: RecoveredOrphan[];
}): LedgerReport {
  const { comparison } = options;
  const line = (value: number | undefined) => (value === undefined ? {} : { line: value });
  const batchGenerations = [...comparison.matched, ...comparison.costDiffers, ...comparison.orphans];
  return {
    range: { from: new Date(options.range.from).toISOString(), to: new Date(options.range.to).toISOString() },
    ledger: options.totals,
    providerBilledUsd: roundUsd(
      batchGenerations.reduce((sum, item) => sum + (item.generation.costUsd ?? 0), 0),
    ),
    matched: comparison.matched.map((item) => ({
      ...line(item.line),
      generationId: item.generation.generationId,
      costUsd: item.entry.costUsd ?? 0,
    })),
    costDiffers: comparison.costDiffers.map((item) => ({
      ...line(item.line),
      generationId: item.generation.generationId,
      ledgerUsd: item.entry.costUsd ?? 0,
      providerUsd: item.generation.costUsd ?? 0,
    })),
    possiblyBilled: comparison.possiblyBilled.map((item) => ({
      ...line(item.line),
      billingKey: item.entry.key,
      estimateUsd: item.entry.estimateUsd,
      reason: item.reason,
    })),
    orphans: comparison.orphans.map((item) => ({
      ...line(item.line),
      generationId: item.generation.generationId,
      status: item.generation.status,
      costUsd: item.generation.costUsd ?? 0,
    })),
    missing: comparison.missing.map((item) => ({
      ...line(item.line),
      billingKey: item.entry.key,
      costUsd: item.entry.costUsd ?? 0,
    })),
    others: comparison.others,
    ...(options.recovered ? { recovered: options.recovered } : {}),
    ok: comparison.ok,
  };
}

/** The report as plain text: one line per finding, then the totals and the verdict. */
export function ledgerText(options: {
  report: LedgerReport;
  style: Styles;
  /** What kept the ledger: a batch's journal (rows name lines) or a queue's workers. @default 'batch' */
  subject?: 'batch' | 'queue';
}): string {
  const { report, style } = options;
  const subject = options.subject ?? 'batch';
  const where = (line: number | undefined) =>
    line !== undefined ? `line ${line}` : subject === 'batch' ? 'no line' : '';
  const rows: string[] = [`Oxen's records from ${report.range.from} to ${report.range.to}`, ''];
  const row = (status: string, line: number | undefined, detail: string) => {
    const paint =
      status === 'matched'
        ? (text: string) => text
        : status === 'orphan' || status === 'not in records'
          ? style.red
          : style.yellow;
    rows.push(`  ${paint(status.padEnd(16))}${where(line).padEnd(10)}${detail}`);
  };
  for (const item of report.matched)
    row('matched', item.line, `${item.generationId}  ${formatUsd(item.costUsd)}`);
  for (const item of report.costDiffers) {
    row(
      'cost differs',
      item.line,
      `${item.generationId}  ledger ${formatUsd(item.ledgerUsd)}, Oxen ${formatUsd(item.providerUsd)}`,
    );
  }
  for (const item of report.orphans) {
    row(
      'orphan',
      item.line,
      `${item.generationId}  ${formatUsd(item.costUsd)} billed, never delivered (${item.status})`,
    );
  }
  for (const item of report.possiblyBilled) {
    row(
      'possibly billed',
      item.line,
      `~${formatUsd(item.estimateUsd)}, ${UNMATCHED_WORDS[item.reason]} (${item.billingKey})`,
    );
  }
  for (const item of report.missing) {
    row('not in records', item.line, `${formatUsd(item.costUsd)} charged (${item.billingKey})`);
  }
  if (rows.length === 2) rows.push('  no Oxen edits in the range');
  rows.push('');
  for (const item of report.recovered ?? []) {
    rows.push(
      item.problem
        ? style.red(`Not recovered: ${where(item.line)}, ${item.generationId}: ${item.problem}`)
        : `Recovered ${where(item.line)}, ${item.generationId}: ${item.files.join(', ')}, settled at ${formatUsd(item.costUsd)}`,
    );
  }
  rows.push(
    `Ledger: spent ${formatUsd(report.ledger.settledUsd)}` +
      (report.ledger.possiblyBilledUsd > 0
        ? ` · ~${formatUsd(report.ledger.possiblyBilledUsd)} possibly billed`
        : '') +
      ` · Oxen billed ${formatUsd(report.providerBilledUsd)} for the ${subject}` +
      (report.others > 0
        ? ` · ${report.others} other generation${report.others === 1 ? '' : 's'} in the range`
        : ''),
  );
  rows.push(
    report.ok
      ? style.green('Everything matched.')
      : style.red(
          report.orphans.length > 0
            ? `Something does not match: run again with --recover to download the orphans' outputs and settle them.`
            : 'Something does not match.',
        ),
  );
  return `${rows.join('\n')}\n`;
}
