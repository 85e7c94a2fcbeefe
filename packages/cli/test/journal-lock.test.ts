import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchJournal } from '../src/batch/journal.ts';
import { takeJournalLock } from '../src/batch/journal-lock.ts';
import { UsageError } from '../src/usage-error.ts';
import { temporaryDirectory } from './support/io.ts';

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid;
}

describe('the journal lock: one run writes an output directory at a time', () => {
  it('refuses a second run while the first holds the journal, naming --out and the lock file', async () => {
    const directory = await temporaryDirectory();
    const path = join(directory, 'journal.jsonl');
    const first = await BatchJournal.open({ path, manifest: '/m.jsonl' });
    const second = BatchJournal.open({ path, manifest: '/m.jsonl' });
    await expect(second).rejects.toBeInstanceOf(UsageError);
    await expect(second).rejects.toThrow(
      new RegExp(
        `another run of this batch \\(process ${process.pid}, started .*\\) is writing .*--out.*journal\\.jsonl\\.lock`,
      ),
    );
    await first.close();
    const third = await BatchJournal.open({ path, manifest: '/m.jsonl' });
    await third.close();
  });

  it('lets a reader (retouch ledger) open the journal while a run holds it', async () => {
    const directory = await temporaryDirectory();
    const path = join(directory, 'journal.jsonl');
    const running = await BatchJournal.open({ path, manifest: '/m.jsonl' });
    const reader = await BatchJournal.open({ path, run: false });
    await reader.close();
    // The reader gave back no lock of its own: the run still holds it.
    await expect(BatchJournal.open({ path, manifest: '/m.jsonl' })).rejects.toThrow(/another run/);
    await running.close();
  });

  it('takes over a lock left by a run that died on this machine', async () => {
    const directory = await temporaryDirectory();
    const path = join(directory, 'journal.jsonl');
    const pid = deadPid();
    await writeFile(`${path}.lock`, `${JSON.stringify({ pid, host: hostname(), at: Date.now() })}\n`);
    const journal = await BatchJournal.open({ path, manifest: '/m.jsonl' });
    expect(JSON.parse(await readFile(`${path}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    await journal.close();
    await expect(readFile(`${path}.lock`)).rejects.toThrow(/ENOENT/);
  });

  it('takes over a torn lock file, and refuses one written on another machine', async () => {
    const directory = await temporaryDirectory();
    const journalPath = join(directory, 'journal.jsonl');
    await writeFile(`${journalPath}.lock`, '{"pid": 12');
    const lock = await takeJournalLock({ journalPath, command: 'batch' });
    await lock.release();
    await writeFile(
      `${journalPath}.lock`,
      `${JSON.stringify({ pid: deadPid(), host: `not-${hostname()}`, at: Date.now() })}\n`,
    );
    await expect(takeJournalLock({ journalPath, command: 'batch' })).rejects.toThrow(
      /on not-.*If no such run is alive, delete .*journal\.jsonl\.lock/,
    );
  });

  it('does not remove a lock another run took over', async () => {
    const directory = await temporaryDirectory();
    const journalPath = join(directory, 'journal.jsonl');
    const lock = await takeJournalLock({ journalPath, command: 'batch' });
    const taker = { pid: deadPid() + 1_000_000, host: hostname(), at: Date.now() };
    await writeFile(`${journalPath}.lock`, `${JSON.stringify(taker)}\n`);
    await lock.release();
    expect(JSON.parse(await readFile(`${journalPath}.lock`, 'utf8'))).toEqual(taker);
  });
});
