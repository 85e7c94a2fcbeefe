import { type FileHandle, mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CompareRun } from '@retouch/compare';
import type { EditJobSnapshot } from '@retouch/core';
import { UsageError } from '../usage-error.ts';

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
 * batch goes on, so a crash at any point leaves a journal that says what may have been billed.
 */
export type JournalRecord =
  | {
      /** The journal's first record. */
      type: 'batch';
      version: 1;
      /** The manifest's absolute path. */
      manifest: string;
      at: number;
    }
  | {
      /** The line's billable request is about to leave: from now on it may be billed. */
      type: 'sent';
      line: number;
      hash: string;
      at: number;
    }
  | {
      /** The provider accepted the line as a job: a later run resumes it from the snapshot. */
      type: 'accepted';
      line: number;
      hash: string;
      snapshot: EditJobSnapshot;
    }
  | {
      /** The line is finished: its outputs are saved, or it failed for good. */
      type: 'done';
      line: number;
      hash: string;
      run: BatchLineRun;
    };

/** Where a line stands according to the journal. */
export type JournalLineState =
  | { status: 'sent'; hash: string; at: number }
  | { status: 'accepted'; hash: string; snapshot: EditJobSnapshot }
  | { status: 'done'; hash: string; run: BatchLineRun };

/**
 * The batch's journal in its output directory: read whole on start (a line torn by a crash mid-write
 * is ignored), then appended to, each record flushed to disk before the call returns.
 */
export class BatchJournal {
  readonly path: string;
  readonly #handle: FileHandle;
  readonly #lines: Map<number, JournalLineState>;
  #writing: Promise<void> = Promise.resolve();

  private constructor(options: { path: string; handle: FileHandle; lines: Map<number, JournalLineState> }) {
    this.path = options.path;
    this.#handle = options.handle;
    this.#lines = options.lines;
  }

  /**
   * Opens the journal at `path` for the manifest, creating it if needed. Throws a usage error when it
   * belongs to another manifest.
   */
  static async open(options: { path: string; manifest: string }): Promise<BatchJournal> {
    let text = '';
    try {
      text = await readFile(options.path, 'utf8');
    } catch {
      // a new batch
    }
    const lines = new Map<number, JournalLineState>();
    let header: Extract<JournalRecord, { type: 'batch' }> | undefined;
    for (const raw of text.split('\n')) {
      if (raw.trim() === '') continue;
      let record: JournalRecord;
      try {
        record = JSON.parse(raw) as JournalRecord;
      } catch {
        continue; // the last line, cut by a crash while it was written
      }
      switch (record.type) {
        case 'batch':
          header ??= record;
          break;
        case 'sent':
          lines.set(record.line, { status: 'sent', hash: record.hash, at: record.at });
          break;
        case 'accepted':
          lines.set(record.line, { status: 'accepted', hash: record.hash, snapshot: record.snapshot });
          break;
        case 'done':
          lines.set(record.line, { status: 'done', hash: record.hash, run: record.run });
          break;
      }
    }
    if (header && header.manifest !== options.manifest) {
      throw new UsageError({
        command: 'batch',
        message: `${options.path} is the journal of another manifest (${header.manifest}); pick another --out for ${options.manifest}`,
      });
    }
    await mkdir(dirname(options.path), { recursive: true });
    const handle = await open(options.path, 'a');
    const journal = new BatchJournal({ path: options.path, handle, lines });
    // A torn last line gets its own line end, so the next record starts clean.
    if (text !== '' && !text.endsWith('\n')) await journal.#write('\n');
    if (!header)
      await journal.append({ type: 'batch', version: 1, manifest: options.manifest, at: Date.now() });
    return journal;
  }

  /** Each line's last state, by line number. */
  get lines(): ReadonlyMap<number, JournalLineState> {
    return this.#lines;
  }

  /** Appends a record and resolves once it is on disk. */
  append(record: JournalRecord): Promise<void> {
    if (record.type === 'sent')
      this.#lines.set(record.line, { status: 'sent', hash: record.hash, at: record.at });
    if (record.type === 'accepted') {
      this.#lines.set(record.line, { status: 'accepted', hash: record.hash, snapshot: record.snapshot });
    }
    if (record.type === 'done')
      this.#lines.set(record.line, { status: 'done', hash: record.hash, run: record.run });
    return this.#write(`${JSON.stringify(record)}\n`);
  }

  /** Waits for the appends under way and closes the file. */
  async close(): Promise<void> {
    await this.#writing.catch(() => {});
    await this.#handle.close();
  }

  #write(text: string): Promise<void> {
    // Appends go one after another, each flushed before the next, so records never interleave.
    const next = this.#writing.then(async () => {
      await this.#handle.write(text);
      await this.#handle.sync();
    });
    this.#writing = next.catch(() => {});
    return next;
  }
}
