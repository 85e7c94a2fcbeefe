import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { UsageError } from '../usage-error.ts';

/** What a lock file says of the run that holds it. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly at: number;
}

/** A held lock on a batch's journal; {@link JournalLock.release} gives it back. */
export interface JournalLock {
  release(): Promise<void>;
}

/**
 * Takes the run lock of the journal at `journalPath` (a `.lock` file beside it, created exclusively),
 * so two runs of a batch never write one output directory at once: both would send the lines neither
 * has journaled yet, and pay for them twice. A lock left by a run that died on this machine (its
 * process is gone) is taken over; one held by a live process, or written on another machine, refuses
 * the run with what to do.
 */
export async function takeJournalLock(options: {
  journalPath: string;
  command: string;
}): Promise<JournalLock> {
  const path = `${options.journalPath}.lock`;
  const owner: LockOwner = { pid: process.pid, host: hostname(), at: Date.now() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(`${JSON.stringify(owner)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return {
        async release() {
          // Only this run's own lock is removed: a taker's must stay.
          if ((await readOwner(path))?.pid === owner.pid) await unlink(path).catch(() => {});
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readOwner(path);
    if (holder && (holder.host !== owner.host || isAlive(holder.pid))) {
      const where =
        holder.host === owner.host ? `process ${holder.pid}` : `process ${holder.pid} on ${holder.host}`;
      throw new UsageError({
        command: options.command,
        message:
          `another run of this batch (${where}, started ${new Date(holder.at).toISOString()}) is writing ${options.journalPath}: ` +
          `wait for it to end, or pick another --out. If no such run is alive, delete ${path}`,
      });
    }
    // The holder died without releasing (kill -9, a crash) or the file is torn: take it over.
    await unlink(path).catch(() => {});
  }
  throw new UsageError({
    command: options.command,
    message: `could not take ${path}: another run keeps taking it; pick another --out`,
  });
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.at === 'number') {
      return { pid: parsed.pid, host: parsed.host, at: parsed.at };
    }
  } catch {
    // missing or torn: treated as no holder
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
