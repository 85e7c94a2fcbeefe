import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../src/bin.ts', import.meta.url));

/** `retouch` running as its own process, so a test can signal or kill it. */
export interface CliProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** Resolves with its exit code (`null` when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** What it printed so far. */
  output(): { stdout: string; stderr: string };
}

/**
 * Starts `retouch <argv>` with the running Node binary (so signals reach it) and only `PATH` and `env`
 * in its environment. `cleanups` gets a step that kills it, for the test's `afterEach`.
 */
export function spawnCli(options: {
  cwd: string;
  argv: readonly string[];
  env?: Readonly<Record<string, string>>;
  cleanups: (() => Promise<unknown>)[];
}): CliProcess {
  const child = spawn(process.execPath, ['--conditions=@retouch/source', bin, ...options.argv], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  options.cleanups.push(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  return { child, exited, output: () => ({ stdout, stderr }) };
}
