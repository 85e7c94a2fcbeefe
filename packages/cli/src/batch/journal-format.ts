/**
 * The journal's records and what they make of a line: the format both the journal and its reader
 * follow.
 */

import type { CompareRun } from '@retouch/compare';
import type { EditJobSnapshot, SpendEntry } from '@retouch/core';

/** What one manifest line came to, as the journal and the report keep it. */
export interface BatchLineRun extends Omit<CompareRun, 'entry' | 'label' | 'repeat'> {
  /** The manifest line, from 1. */
  line: number;
  /** The line's prompt. */
  prompt: string;
  /** True when the edit was collected from a provider job an earlier run had started. */
  resumed?: boolean;
}

/**
 * One record of a batch's journal, appended as a JSON line and flushed to disk (fsync) before the
 * batch goes on, so a crash at any point leaves a journal that says what may have been billed. Lines
 * are named by their content key (see `ManifestLine.key`), so a line may move or change: a changed
 * line is a new edit.
 */
export type JournalRecord =
  | {
      /** The journal's first record. */
      type: 'batch';
      version: 1 | 2;
      /** The manifest's absolute path. */
      manifest: string;
      at: number;
    }
  | {
      /** A run of the batch starts: the time between the last record of a run and the next start is downtime. */
      type: 'start';
      at: number;
    }
  | {
      /** The line's billable request is about to leave under `billingKey`: from now on it may be billed. */
      type: 'sent';
      key: string;
      line: number;
      billingKey: string;
      /** The line's model and prompt, for matching the send with the provider's records. */
      model?: string;
      prompt?: string;
      at: number;
    }
  | {
      /** The provider accepted the line as a job: a later run resumes it from the snapshot. */
      type: 'accepted';
      key: string;
      line: number;
      snapshot: EditJobSnapshot;
      at: number;
    }
  | {
      /** The line is finished: its outputs are saved, or it failed for good. */
      type: 'done';
      key: string;
      line: number;
      run: BatchLineRun;
      at: number;
    }
  | {
      /** With `--redis`: the line's edit is the queue job `jobId`. */
      type: 'queued';
      key: string;
      line: number;
      jobId: string;
      at: number;
    }
  | {
      /** A change of the spend ledger: the entry as it now stands. */
      type: 'spend';
      entry: SpendEntry;
    };

/** Where a line stands according to the journal, by its content key. */
export type JournalLineState = {
  /** Its line number when last recorded. */
  line: number;
  /** The billing key of its last send. */
  billingKey?: string;
  /** Its queue job, with `--redis`. */
  jobId?: string;
} & (
  | { status: 'sent'; at: number }
  | { status: 'accepted'; snapshot: EditJobSnapshot; at: number }
  | { status: 'done'; run: BatchLineRun; at: number }
  | { status: 'queued'; at: number }
);

/** A line's state after one of its records. */
export function applyLineRecord(
  previous: JournalLineState | undefined,
  record: Extract<JournalRecord, { type: 'sent' | 'accepted' | 'done' | 'queued' }>,
): JournalLineState {
  const billingKey = record.type === 'sent' ? record.billingKey : previous?.billingKey;
  const jobId = record.type === 'queued' ? record.jobId : previous?.jobId;
  const kept = {
    line: record.line,
    ...(billingKey !== undefined ? { billingKey } : {}),
    ...(jobId !== undefined ? { jobId } : {}),
  };
  switch (record.type) {
    case 'sent':
      return { ...kept, status: 'sent', at: record.at };
    case 'accepted':
      return { ...kept, status: 'accepted', snapshot: record.snapshot, at: record.at };
    case 'done':
      return { ...kept, status: 'done', run: record.run, at: record.at };
    case 'queued':
      return { ...kept, status: 'queued', at: record.at };
  }
}
