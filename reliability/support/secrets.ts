import { randomUUID } from 'node:crypto';
import { inspect as utilInspect } from 'node:util';
import type { RecordedRequest } from '@retouch/simulator';

/**
 * The suite's secret watch: every API key handed to a simulator comes from {@link secretKey}, and
 * everything a user can see (errors and their causes, results, progress events, console output) goes
 * through {@link inspect}, which records any text that contains one of those keys.
 */
const keys = new Set<string>();
const findings: { where: string; excerpt: string }[] = [];

/** A fresh API key for one simulator, registered with the watch. */
export function secretKey(provider: 'oxen' | 'edenai'): string {
  // Long and unlike any word, so a hit is never a coincidence.
  const key = `${provider}-reliability-${randomUUID()}`;
  keys.add(key);
  return key;
}

/** Every key handed out so far. */
export function knownKeys(): readonly string[] {
  return [...keys];
}

/** Where the registered keys occur in `text`, with some context. */
export function keysIn(text: string): string[] {
  const found: string[] = [];
  for (const key of keys) {
    const at = text.indexOf(key);
    if (at >= 0) found.push(text.slice(Math.max(0, at - 60), at + key.length + 20));
  }
  return found;
}

let sink = (finding: { where: string; excerpt: string }): void => {
  findings.push(finding);
};

function check(where: string, text: string): void {
  for (const excerpt of keysIn(text)) sink({ where, excerpt });
}

/**
 * Runs `inspect` calls without recording their findings, and returns them: for testing the watch
 * itself on values planted with a key.
 */
export function findingsOf(run: () => void): { where: string; excerpt: string }[] {
  const caught: { where: string; excerpt: string }[] = [];
  const previous = sink;
  sink = (finding) => caught.push(finding);
  try {
    run();
  } finally {
    sink = previous;
  }
  return caught;
}

function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return (
      JSON.stringify(value, (_key, item: unknown) => {
        if (typeof item === 'bigint') return item.toString();
        if (typeof item === 'object' && item !== null) {
          if (seen.has(item)) return '[circular]';
          seen.add(item);
        }
        return item;
      }) ?? ''
    );
  } catch (error) {
    return `unserializable: ${String(error)}`;
  }
}

/**
 * Records any known key in what a user could see of `value`: for an error its message, `String()`,
 * stack, `JSON.stringify`, `util.inspect` and every link of its `cause` chain; for anything else its
 * `JSON.stringify` and `util.inspect`.
 */
export function inspect(where: string, value: unknown): void {
  let current: unknown = value;
  for (let depth = 0; depth < 10 && current !== undefined && current !== null; depth++) {
    const label = depth === 0 ? where : `${where} (cause ${depth})`;
    if (current instanceof Error) {
      check(`${label}: message`, current.message);
      check(`${label}: String()`, String(current));
      check(`${label}: stack`, current.stack ?? '');
    }
    check(`${label}: JSON.stringify`, safeJson(current));
    check(`${label}: util.inspect`, utilInspect(current, { depth: 12, showHidden: false }));
    current = current instanceof Error ? current.cause : undefined;
  }
}

/** Keys sent to a server that is not theirs: any request carrying a bearer token it did not issue. */
export function misdirectedCredentials(where: string, requests: readonly RecordedRequest[]): void {
  for (const request of requests) {
    if (request.headers.authorization !== undefined && !request.authenticated) {
      findings.push({
        where: `${where}: ${request.method} ${request.path}`,
        excerpt: 'carried an Authorization header with a key this server did not issue',
      });
    }
  }
}

/** Records a finding made elsewhere, e.g. a helper server that received an Authorization header. */
export function reportLeak(where: string, excerpt: string): void {
  findings.push({ where, excerpt });
}

/** What was found so far. */
export function leaks(): readonly { where: string; excerpt: string }[] {
  return findings;
}

type Writer = (chunk: unknown, ...rest: unknown[]) => boolean;

/**
 * Watches console output and writes to stdout and stderr (the text is still written). Returns the
 * function that stops watching.
 */
export function watchOutput(): () => void {
  const restore: (() => void)[] = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const original = console[method];
    console[method] = (...values: unknown[]) => {
      for (const value of values) {
        if (typeof value === 'string') check(`console.${method}`, value);
        else inspect(`console.${method}`, value);
      }
      original.apply(console, values);
    };
    restore.push(() => {
      console[method] = original;
    });
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream) as Writer;
    const name = stream === process.stdout ? 'stdout' : 'stderr';
    (stream as unknown as { write: Writer }).write = (chunk: unknown, ...rest: unknown[]) => {
      check(name, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return original(chunk, ...rest);
    };
    restore.push(() => {
      (stream as unknown as { write: Writer }).write = original;
    });
  }
  return () => {
    for (const undo of restore.splice(0)) undo();
  };
}
