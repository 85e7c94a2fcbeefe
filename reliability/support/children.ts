import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a child process printed and how it ended. */
export interface ChildRun {
  /** Every JSON line it printed. */
  lines: unknown[];
  /** Anything else it printed, on stdout or stderr. */
  otherOutput: string;
  /** Its exit code; `null` when it had to be killed. */
  exitCode: number | null;
  /** Whether it ended by itself within `exitWithinMs` of its last line. */
  exitedByItself: boolean;
  /** Milliseconds from its last line to its exit. */
  exitMs: number;
}

/**
 * Runs a TypeScript file of this suite in its own Node process (sources resolved through the
 * `@retouch/source` condition) and collects its JSON lines. After the line `{ done: true }` the process
 * must end by itself within `exitWithinMs`: otherwise something (a timer, a socket, a stream) was left
 * open, and it is killed.
 */
export function runChild(options: {
  script: string;
  args: readonly string[];
  exitWithinMs: number;
  timeoutMs: number;
  nodeOptions?: readonly string[];
}): Promise<ChildRun> {
  const script = fileURLToPath(new URL(options.script, import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...(options.nodeOptions ?? []), '--conditions=@retouch/source', script, ...options.args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: unknown[] = [];
    let otherOutput = '';
    let buffered = '';
    let doneAt: number | undefined;
    let killed = false;
    const kill = (): void => {
      killed = true;
      child.kill('SIGKILL');
    };
    const overall = setTimeout(kill, options.timeoutMs);
    let exitTimer: ReturnType<typeof setTimeout> | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const parsed = JSON.parse(line) as { done?: boolean };
          lines.push(parsed);
          if (parsed.done) {
            doneAt = Date.now();
            exitTimer = setTimeout(kill, options.exitWithinMs);
          }
        } catch {
          otherOutput += `${line}\n`;
        }
        newline = buffered.indexOf('\n');
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      otherOutput += chunk;
    });
    child.on('close', (code) => {
      clearTimeout(overall);
      clearTimeout(exitTimer);
      otherOutput += buffered;
      resolve({
        lines,
        otherOutput,
        exitCode: killed ? null : code,
        exitedByItself: !killed && doneAt !== undefined,
        exitMs: doneAt === undefined ? -1 : Date.now() - doneAt,
      });
    });
  });
}
