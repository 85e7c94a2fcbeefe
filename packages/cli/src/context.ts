/** A stream the CLI writes to: `process.stdout`, `process.stderr`, or a collector in tests. */
export interface OutputStream {
  /** Writes text. */
  write(chunk: string): unknown;
  /** True when the stream is a terminal: live progress and colours are used only then. */
  isTTY?: boolean;
  /** Terminal width in characters, when known. */
  columns?: number;
}

/**
 * Everything the CLI reads from or writes to its surroundings. `main` uses the process's own by
 * default; tests pass collectors and an environment of their choosing.
 */
export interface CliContext {
  /** Results: tables, JSON, report paths. */
  stdout: OutputStream;
  /** Progress, warnings and errors, so that `--json` output on stdout stays parseable. */
  stderr: OutputStream;
  /** Where API keys are read from (`OXEN_API_KEY`, `EDENAI_API_KEY`) and `NO_COLOR` is honoured. */
  env: Record<string, string | undefined>;
  /** The directory relative paths are resolved against. */
  cwd: string;
  /** Stops a long-running command (`retouch worker`) as SIGTERM would. */
  signal?: AbortSignal;
}

/** The context of the running process. */
export function processContext(): CliContext {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Whether to colour output written to the stream (a terminal, and `NO_COLOR` unset). */
export function wantsColor(options: { stream: OutputStream; env: CliContext['env'] }): boolean {
  if (options.env.NO_COLOR !== undefined && options.env.NO_COLOR !== '') return false;
  if (options.env.FORCE_COLOR !== undefined && options.env.FORCE_COLOR !== '0') return true;
  return options.stream.isTTY === true && options.env.TERM !== 'dumb';
}
