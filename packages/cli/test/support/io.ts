import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { LIBRARY_ONLY_WORDING } from '../../src/cli-words.ts';
import type { CliContext, OutputStream } from '../../src/context.ts';
import { main } from '../../src/main.ts';

/** A stream that keeps what is written to it. */
export interface Collector extends OutputStream {
  readonly text: string;
}

/** A collecting stream, a terminal or not. */
export function collector(options: { isTTY?: boolean; columns?: number } = {}): Collector {
  let text = '';
  return {
    write(chunk: string) {
      text += chunk;
      return true;
    },
    isTTY: options.isTTY ?? false,
    ...(options.columns ? { columns: options.columns } : {}),
    get text() {
      return text;
    },
  };
}

/** A fresh temporary directory, removed when the test that asked for it finishes. Call it inside a test. */
export async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'retouch-cli-'));
  onTestFinished(() => rm(directory, { recursive: true, force: true, maxRetries: 3 }));
  return directory;
}

/** Runs `retouch` in-process with collecting streams, no keys unless given, and `cwd`. */
export async function run(
  argv: readonly string[],
  options: { cwd?: string; env?: CliContext['env'] } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = collector();
  const stderr = collector();
  const code = await main(argv, {
    stdout,
    stderr,
    env: options.env ?? {},
    cwd: options.cwd ?? (await temporaryDirectory()),
  });
  expectCliWording(stderr.text);
  expectCliWording(stdout.text);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/**
 * Fails the test when the CLI printed advice meant for library callers (`budget.maxUsd`,
 * `listModels()`, ...) instead of the flag or command that fixes the problem.
 */
export function expectCliWording(text: string): void {
  for (const pattern of LIBRARY_ONLY_WORDING) {
    const found = pattern.exec(text);
    if (found) {
      const line = text.slice(0, found.index).split('\n').length;
      throw new Error(
        `the CLI printed library-only wording (${pattern}) on line ${line}: ${text.split('\n')[line - 1]}`,
      );
    }
  }
}
