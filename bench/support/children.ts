import { type ChildProcess, fork } from 'node:child_process';

const running = new Set<ChildProcess>();

// A benchmark that crashes or is interrupted must not leave simulators or clients behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Forks a Node child running a TypeScript file from source, with an IPC channel, and tracks it. */
export function forkTypeScript(options: {
  file: URL;
  args?: string[];
  execArgv?: string[];
  /** Pipe the child's stdout (to read what it prints) instead of sharing ours. */
  captureStdout?: boolean;
}): ChildProcess {
  const child = fork(options.file, options.args ?? [], {
    execArgv: ['--conditions=@retouch/source', ...(options.execArgv ?? [])],
    stdio: ['ignore', options.captureStdout ? 'pipe' : 'inherit', 'inherit', 'ipc'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Waits for the first IPC message that `accept` takes, failing on exit or after `timeoutMs`. */
export function nextMessage<T>(options: {
  child: ChildProcess;
  accept: (message: unknown) => T | undefined;
  timeoutMs: number;
  what: string;
}): Promise<T> {
  const { child } = options;
  return new Promise<T>((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: unknown) => {
      const value = options.accept(message);
      if (value === undefined) return;
      cleanup();
      resolve(value);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      reject(new Error(`${options.what}: the child process exited (code ${code}, signal ${signal})`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${options.what}: no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Ends a child: asks politely through `stop`, then kills it if it has not exited after `graceMs`. */
export async function endChild(options: {
  child: ChildProcess;
  stop?: () => void;
  graceMs?: number;
}): Promise<void> {
  const { child } = options;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  options.stop?.();
  const timer = setTimeout(() => child.kill('SIGKILL'), options.graceMs ?? 5_000);
  await exited;
  clearTimeout(timer);
}
