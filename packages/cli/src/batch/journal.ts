import { type FileHandle, mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SpendEntry } from '@retouch/core';
import { UsageError } from '../usage-error.ts';
import { applyLineRecord, type JournalLineState, type JournalRecord } from './journal-format.ts';
import { type JournalLock, takeJournalLock } from './journal-lock.ts';
import { type JournalContents, type JournalSend, readJournalRecords } from './journal-records.ts';
import { JournalSpendStore } from './journal-spend-store.ts';
import type { RunSpans } from './run-spans.ts';

/**
 * The batch's journal in its output directory: read whole on start (a line torn by a crash mid-write
 * is ignored), then appended to, each record flushed to disk before the call returns. It holds the
 * lines' states and the batch's spend ledger ({@link JournalSpendStore}), so a budget holds across a
 * crash and a rerun. One run writes a journal at a time: a run holds the journal's lock file until
 * {@link BatchJournal.close}.
 */
export class BatchJournal {
  readonly path: string;
  /** The batch's spend ledger, every earlier run's entries included. */
  readonly spend: JournalSpendStore;
  /** The runs of the batch, for times without the downtime between them. */
  readonly runs: RunSpans;
  readonly #handle: FileHandle;
  readonly #lock: JournalLock | undefined;
  readonly #lines: Map<string, JournalLineState>;
  readonly #entries: Map<string, SpendEntry>;
  readonly #sends: Map<string, JournalSend>;
  /** Bytes of the file read so far: what lies beyond was appended since, by this opener or another. */
  #readBytes: number;
  #turns: Promise<unknown> = Promise.resolve();

  private constructor(options: {
    path: string;
    handle: FileHandle;
    contents: JournalContents;
    readBytes: number;
    lock: JournalLock | undefined;
  }) {
    this.path = options.path;
    this.#handle = options.handle;
    this.#lock = options.lock;
    this.#lines = options.contents.lines;
    this.#entries = options.contents.entries;
    this.#sends = options.contents.sends;
    this.runs = options.contents.runs;
    this.#readBytes = options.readBytes;
    this.spend = new JournalSpendStore({ entries: this.#entries, turn: (work) => this.#turn(work) });
  }

  /**
   * Opens the journal at `path` for the manifest, creating it if needed, and records the start of a
   * run, holding the journal's lock. Throws a usage error when it belongs to another manifest or
   * another live run holds it. `legacyKey` names the line of a
   * record written by an earlier version (by line number and text hash), if the manifest still has it.
   */
  static async open(options: {
    path: string;
    /** The manifest's absolute path; without it, any batch's journal is read. */
    manifest?: string;
    /** Whether this opening is a run of the batch, recorded as its start. @default true */
    run?: boolean;
    legacyKey?: (record: { line: number; hash: string }) => string | undefined;
    /** The command named in a refusal. @default 'batch' */
    command?: string;
  }): Promise<BatchJournal> {
    const run = options.run ?? true;
    await mkdir(dirname(options.path), { recursive: true });
    const lock = run
      ? await takeJournalLock({ journalPath: options.path, command: options.command ?? 'batch' })
      : undefined;
    try {
      return await BatchJournal.#open({ ...options, run, lock });
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  static async #open(options: {
    path: string;
    manifest?: string;
    run: boolean;
    lock: JournalLock | undefined;
    legacyKey?: (record: { line: number; hash: string }) => string | undefined;
  }): Promise<BatchJournal> {
    let bytes = Buffer.alloc(0);
    try {
      bytes = await readFile(options.path);
    } catch {
      // a new batch
    }
    const text = bytes.toString('utf8');
    const contents = readJournalRecords({
      text,
      ...(options.legacyKey ? { legacyKey: options.legacyKey } : {}),
    });
    if (options.manifest !== undefined && contents.header && contents.header.manifest !== options.manifest) {
      throw new UsageError({
        command: 'batch',
        message: `${options.path} is the journal of another manifest (${contents.header.manifest}); pick another --out for ${options.manifest}`,
      });
    }
    const handle = await open(options.path, 'a+');
    const journal = new BatchJournal({
      path: options.path,
      handle,
      contents,
      readBytes: bytes.length,
      lock: options.lock,
    });
    // A torn last line gets its own line end, so the next record starts clean.
    if (text !== '' && !text.endsWith('\n')) await journal.#turn((write) => write('\n'));
    const at = Date.now();
    if (!contents.header && options.manifest !== undefined) {
      await journal.append({ type: 'batch', version: 2, manifest: options.manifest, at });
    }
    if (options.run) await journal.append({ type: 'start', at });
    return journal;
  }

  /** Each line's last state, by content key. */
  get lines(): ReadonlyMap<string, JournalLineState> {
    return this.#lines;
  }

  /** Each billable send the journal holds, by billing key. */
  get sends(): ReadonlyMap<string, JournalSend> {
    return this.#sends;
  }

  /** Appends a record and resolves once it is on disk. */
  append(record: Exclude<JournalRecord, { type: 'spend' }>): Promise<void> {
    return this.#turn((write) => {
      if (record.type === 'start') this.runs.start(record.at);
      else if (record.type !== 'batch') {
        this.runs.saw(record.at);
        this.#lines.set(record.key, applyLineRecord(this.#lines.get(record.key), record));
        if (record.type === 'sent') {
          const { key, line, billingKey, model, prompt, at } = record;
          this.#sends.set(billingKey, { key, line, billingKey, model, prompt, at });
        }
      }
      return write(`${JSON.stringify(record)}\n`);
    });
  }

  /** Waits for the appends under way, closes the file and gives back the run's lock. */
  async close(): Promise<void> {
    await this.#turns.catch(() => {});
    await this.#handle.close();
    await this.#lock?.release();
  }

  /**
   * Runs `work` after every earlier turn, once what was appended to the file since it was last read
   * (by another opener of the journal) is read. Records are written whole and flushed one at a time.
   */
  #turn<T>(work: (write: (text: string) => Promise<void>) => Promise<T>): Promise<T> {
    const next = this.#turns.then(async () => {
      await this.#catchUp();
      return work(async (text) => {
        const from = this.#readBytes;
        const { bytesWritten } = await this.#handle.write(text);
        await this.#handle.sync();
        // The record this opener just wrote need not be read back, unless another opener appended
        // around it: then the next turn reads from where it stopped, this record included.
        const { size } = await this.#handle.stat();
        if (size === from + bytesWritten) this.#readBytes = size;
      });
    });
    this.#turns = next.catch(() => {});
    return next;
  }

  async #catchUp(): Promise<void> {
    const { size } = await this.#handle.stat();
    if (size <= this.#readBytes) return;
    const buffer = Buffer.alloc(size - this.#readBytes);
    const { bytesRead } = await this.#handle.read(buffer, 0, buffer.length, this.#readBytes);
    const chunk = buffer.subarray(0, bytesRead);
    const end = chunk.lastIndexOf(0x0a);
    if (end < 0) return;
    // Records this opener wrote may be read again: each says the state it recorded, so that is harmless.
    readJournalRecords({
      text: chunk.subarray(0, end + 1).toString('utf8'),
      into: { lines: this.#lines, entries: this.#entries },
    });
    this.#readBytes += end + 1;
    this.spend.recount();
  }
}

export type { BatchLineRun, JournalLineState, JournalRecord } from './journal-format.ts';
