import { until } from '../../../../scripts/lib/until.ts';
import { main } from '../../src/main.ts';
import { type Collector, collector } from './io.ts';

/**
 * Runs `retouch worker <argv>` in this process until the test's cleanups (or `stop`) stop it, and
 * resolves once it serves its queue (its `ready` line), with what it writes to stderr and a way to
 * stop it that resolves with its exit code.
 */
export async function startCliWorker(options: {
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  cwd: string;
  cleanups: (() => Promise<unknown>)[];
  /** The start of the line that says it serves. @default 'serving ' */
  ready?: string;
}): Promise<{ stderr: Collector; stop(): Promise<number> }> {
  const stop = new AbortController();
  const stderr = collector();
  const worker = main(['worker', ...options.argv], {
    stdout: collector(),
    stderr,
    env: { ...options.env },
    cwd: options.cwd,
    signal: stop.signal,
  });
  const end = (): Promise<number> => {
    stop.abort();
    return worker;
  };
  options.cleanups.push(end);
  await until(() => stderr.text.includes(options.ready ?? 'serving '));
  return { stderr, stop: end };
}
