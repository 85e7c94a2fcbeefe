import type { EditJobSnapshot } from '@retouch/core';
import type { BatchJournal, BatchLineRun } from './journal.ts';
import type { ManifestLine } from './manifest.ts';

/** What a run of the batch does with one manifest line, from the journal. */
export type LinePlan =
  | {
      /** Finished by an earlier run, and kept. */
      kind: 'earlier';
      line: ManifestLine;
      run: BatchLineRun;
    }
  | {
      /** Accepted by the provider in an earlier run: collected from its job, not sent again. */
      kind: 'resume';
      line: ManifestLine;
      snapshot: EditJobSnapshot;
    }
  | {
      /** Sent (again) under `billingKey`. */
      kind: 'run';
      line: ManifestLine;
      billingKey: string;
    }
  | {
      /** Sent by an earlier run that stopped before recording the answer: failed, not sent again. */
      kind: 'possibly-billed';
      line: ManifestLine;
      sentAt: number;
      billingKey: string;
    };

/**
 * Decides each line's fate. Lines are known by content: a changed line is a new edit and runs; an
 * unchanged finished one is kept (a failed one runs again with `retryFailed`, one that may have been
 * billed with `resendPossiblyBilled`), an accepted one is resumed.
 */
export function planLines(options: {
  journal: BatchJournal;
  lines: readonly ManifestLine[];
  retryFailed: boolean;
  resendPossiblyBilled: boolean;
}): LinePlan[] {
  const { journal } = options;
  return options.lines.map((line): LinePlan => {
    const state = journal.lines.get(line.key);
    const again = (): LinePlan => ({ kind: 'run', line, billingKey: nextBillingKey({ journal, line }) });
    if (state === undefined || state.status === 'queued') return again();
    if (state.status === 'accepted') return { kind: 'resume', line, snapshot: state.snapshot };
    if (state.status === 'sent') {
      const billingKey = state.billingKey ?? line.key;
      // Released: the provider's records show the request never arrived, so sending it pays once.
      const neverArrived = journal.spend.entry(billingKey)?.state === 'released';
      return options.resendPossiblyBilled || neverArrived
        ? again()
        : { kind: 'possibly-billed', line, sentAt: state.at, billingKey };
    }
    const { run } = state;
    if (run.status === 'failed') {
      // A line whose outcome is unknown (sent, and the answer lost) is sent again only when asked:
      // --retry-failed never pays twice for one result. A generation the provider reported failed is
      // known to have no result, so --retry-failed runs it again.
      const outcomeUnknown = unknownOutcome({
        errorName: run.error?.name,
        possiblyBilled: run.possiblyBilledUsd !== undefined,
      });
      if (outcomeUnknown ? options.resendPossiblyBilled : options.retryFailed) return again();
    }
    // The line may have moved in the manifest since.
    return { kind: 'earlier', line, run: { ...run, line: line.line } };
  });
}

/**
 * The billing key of a line's next send: its last key while that was never sent (or provably cost
 * nothing), else a new one (`<key>~2`, `~3`, ...): a resend is a new billing, counted on its own.
 */
function nextBillingKey(options: { journal: BatchJournal; line: ManifestLine }): string {
  const { journal, line } = options;
  const last = journal.lines.get(line.key)?.billingKey ?? line.key;
  const usable = (key: string): boolean => {
    const entry = journal.spend.entry(key);
    return entry === undefined || entry.state === 'released' || entry.state === 'reserved';
  };
  if (usable(last) && journal.spend.entry(`${last}#1`) === undefined) return last;
  const match = /~(\d+)$/.exec(last);
  let send = match ? Number(match[1]) + 1 : 2;
  while (!usable(`${line.key}~${send}`)) send++;
  return `${line.key}~${send}`;
}

/**
 * Whether a failed line's outcome is unknown: it may have been billed and produced a result that was
 * never recorded. A generation the provider reported failed may have been charged, but has no result.
 */
export function unknownOutcome(options: { errorName: string | undefined; possiblyBilled: boolean }): boolean {
  if (options.errorName === 'PossiblyBilledError') return true;
  return options.possiblyBilled && options.errorName !== 'GenerationFailedError';
}
