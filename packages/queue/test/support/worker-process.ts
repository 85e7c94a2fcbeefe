import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerChildSettings } from './worker-child.ts';

const script = fileURLToPath(new URL('./worker-child.ts', import.meta.url));

/** A worker running in a child process. */
export interface WorkerProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** Everything it wrote to stderr. */
  readonly stderr: () => string;
  /** Resolves with how it ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

/** Starts a worker process and waits until it takes jobs. */
export async function startWorkerProcess(settings: WorkerChildSettings): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--conditions=@retouch/source', script, JSON.stringify(settings)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
    const timer = setTimeout(() => reject(new Error(`the worker did not start:\n${stderr}`)), 15_000);
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
      reject(new Error(`the worker exited with code ${code} before it started:\n${stderr}`));
    });
  });
  return { id, child, stderr: () => stderr, exited };
}

/** Kills every worker process still running (after a failed test). */
export function killWorkerProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}
