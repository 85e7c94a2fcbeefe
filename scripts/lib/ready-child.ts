/**
 * A TypeScript child process for tests and benchmarks that must get real signals: started with the
 * running Node binary itself (never the repository's `node` shell wrapper, which does not pass SIGTERM
 * or SIGKILL on), with the workspace's source condition, and awaited until it prints `ready <id>`.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** A child process that has said it is ready. */
export interface ReadyChild {
  /** The id it printed in its `ready <id>` line. */
  readonly id: string;
  readonly child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  readonly stderr: () => string;
  /** Resolves with how it ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** How to start a {@link ReadyChild}. */
export interface StartReadyChildOptions {
  /** The TypeScript file to run. */
  readonly script: string;
  /** Its one argument, as JSON. */
  readonly settings: unknown;
  /** How long it may take to print `ready <id>`. */
  readonly startTimeoutMs: number;
}

const running = new Set<ChildProcess>();

/** Starts `script` and resolves once it prints `ready <id>`; rejects with its stderr if it exits first. */
export async function startReadyChild(options: StartReadyChildOptions): Promise<ReadyChild> {
  const child = spawn(
    process.execPath,
    ['--conditions=@retouch/source', options.script, JSON.stringify(options.settings)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const id = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the child did not start:\n${stderr}`)),
      options.startTimeoutMs,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const match = /^ready (\S+)$/m.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`the child exited with code ${code} before it started:\n${stderr}`));
    });
  });
  return { id, child, stderr: () => stderr, exited };
}

/** Kills every child started here that is still running, and waits until they are gone. */
export async function killReadyChildren(): Promise<void> {
  const exits = [...running].map(
    (child) => new Promise<void>((resolve) => child.once('exit', () => resolve())),
  );
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(exits);
}
