import type { SpendEntry } from '@retouch/core';
import { applyLineRecord, type JournalLineState, type JournalRecord } from './journal-format.ts';
import { RunSpans } from './run-spans.ts';

/** What a journal's text says, read back. */
export interface JournalContents {
  header: Extract<JournalRecord, { type: 'batch' }> | undefined;
  lines: Map<string, JournalLineState>;
  /** The spend ledger's entries, last state of each key, oldest change first. */
  entries: Map<string, SpendEntry>;
  runs: RunSpans;
  /** Each billable send, by billing key, oldest first. */
  sends: Map<string, JournalSend>;
}

/** One billable send of a line, as the journal recorded it. */
export interface JournalSend {
  /** The line's content key. */
  key: string;
  line: number;
  billingKey: string;
  model: string | undefined;
  prompt: string | undefined;
  /** When it left, in epoch ms. */
  at: number;
  /** The provider's job id, once the provider accepted it. */
  providerJobId?: string;
}

/** A record of a journal written by an earlier version, which named lines by number and text hash. */
type LegacyRecord = { type: 'sent' | 'accepted' | 'done'; line: number; hash: string; at?: number } & Record<
  string,
  unknown
>;

/**
 * Reads a journal's records. A line torn by a crash mid-write is skipped. Records of an earlier
 * version are named by `legacyKey`: lines it cannot name (the manifest changed since) are left out, and
 * the costs their finished lines recorded become settled entries of the ledger.
 */
export function readJournalRecords(options: {
  text: string;
  legacyKey?: (record: { line: number; hash: string }) => string | undefined;
  /** Records read earlier, which the text continues. */
  into?: { lines: Map<string, JournalLineState>; entries: Map<string, SpendEntry> };
}): JournalContents {
  const lines = options.into?.lines ?? new Map<string, JournalLineState>();
  const entries = options.into?.entries ?? new Map<string, SpendEntry>();
  const runs = new RunSpans();
  const sends = new Map<string, JournalSend>();
  let header: JournalContents['header'];
  for (const raw of options.text.split('\n')) {
    if (raw.trim() === '') continue;
    let record: JournalRecord | LegacyRecord;
    try {
      record = JSON.parse(raw) as JournalRecord | LegacyRecord;
    } catch {
      continue; // the last line, cut by a crash while it was written
    }
    switch (record.type) {
      case 'batch':
        header ??= record;
        runs.start(record.at);
        break;
      case 'start':
        runs.start(record.at);
        break;
      case 'spend':
        entries.delete(record.entry.key);
        entries.set(record.entry.key, record.entry);
        runs.saw(record.entry.updatedAt);
        break;
      default: {
        const current =
          'key' in record && typeof record.key === 'string' ? (record as JournalRecord) : undefined;
        const named = current ?? fromLegacy({ record: record as LegacyRecord, ...options, entries });
        if (!named || named.type === 'batch' || named.type === 'start' || named.type === 'spend') break;
        runs.saw(named.at);
        const state = applyLineRecord(lines.get(named.key), named);
        lines.set(named.key, state);
        if (named.type === 'sent') {
          sends.set(named.billingKey, {
            key: named.key,
            line: named.line,
            billingKey: named.billingKey,
            model: named.model,
            prompt: named.prompt,
            at: named.at,
          });
        }
        const send = state.billingKey === undefined ? undefined : sends.get(state.billingKey);
        if (named.type === 'accepted' && send && named.snapshot.providerJobId !== undefined) {
          send.providerJobId = named.snapshot.providerJobId;
        }
      }
    }
  }
  return { header, lines, entries, runs, sends };
}

function fromLegacy(options: {
  record: LegacyRecord;
  legacyKey?: (record: { line: number; hash: string }) => string | undefined;
  entries: Map<string, SpendEntry>;
}): JournalRecord | undefined {
  const { record } = options;
  const key = options.legacyKey?.({ line: record.line, hash: record.hash });
  if (key === undefined) return undefined;
  const at = typeof record.at === 'number' ? record.at : 0;
  if (record.type === 'sent') {
    options.entries.set(key, { key, model: '', state: 'possibly-billed', estimateUsd: 0, updatedAt: at });
    return { type: 'sent', key, line: record.line, billingKey: key, at };
  }
  if (record.type === 'accepted') {
    return { type: 'accepted', key, line: record.line, snapshot: record.snapshot as never, at };
  }
  const run = record.run as { costUsd?: number; costSource?: 'reported' | 'estimated'; model?: string };
  if (run.costUsd !== undefined) {
    options.entries.set(key, {
      key,
      model: String(run.model ?? ''),
      state: 'settled',
      estimateUsd: run.costUsd,
      costUsd: run.costUsd,
      costSource: run.costSource ?? 'estimated',
      updatedAt: at,
    });
  }
  return { type: 'done', key, line: record.line, run: run as never, at };
}
