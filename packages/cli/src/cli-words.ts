/*
 * The library's errors advise callers of the library: "raise budget.maxUsd", "call listModels()".
 * A CLI user has flags and commands instead, so every message the CLI shows passes through here and
 * its advice is rewritten in those terms. The library's own wording stays as it is for its callers.
 */

/** One piece of library advice and its CLI form. */
interface Translation {
  readonly library: RegExp;
  readonly cli: string | ((...groups: string[]) => string);
}

const TRANSLATIONS: readonly Translation[] = [
  {
    // Budget: the cost of an edit on <model> cannot be estimated … set budget.unknownCost: "allow" …
    library:
      /(an edit on (\S+) cannot be estimated[^;]*); set budget\.unknownCost: "allow" to send such edits and count their reported cost/,
    cli: (_match, context, model) =>
      `${context}; add --unknown-cost allow to send such edits and count their reported cost, or give the model's price with --price ${model}=<usd per image>`,
  },
  {
    library: /set budget\.unknownCost: "allow"/g,
    cli: 'add --unknown-cost allow (or give the price with --price <model>=<usd>)',
  },
  { library: /raise budget\.maxUsd/g, cli: 'raise --budget-usd' },
  { library: /\(retry\.maxRetries is (\d+)\)/g, cli: (_match, count) => `(--max-retries is ${count})` },
  {
    library: /\(retry\.maxRateLimitRetries is (\d+)\)/g,
    cli: (_match, count) =>
      `(rate-limited requests are tried ${count} more times; lower --concurrency to stay under the provider's limit)`,
  },
  {
    library: /; set retry\.retryUnsafeSubmissions: true to allow it/g,
    cli: '; check whether the provider billed it before running it again (in a batch: --retry-failed)',
  },
  { library: /retry\.retryUnsafeSubmissions is set/g, cli: 'unsafe resubmissions are allowed' },
  {
    library: /[Cc]all listModels\(\) on the Oxen provider for the edit models it serves/g,
    cli: 'run retouch models --provider oxen for the edit models it serves',
  },
  {
    library: /^listModels: provider/,
    cli: 'retouch models: provider',
  },
  {
    library:
      /Add it again(?: under a new job id)? if you still need it \(it may then be paid for twice\), or run workers with resendPossiblyBilled: true/g,
    cli: 'Run the batch again with --resend-possibly-billed to send it anyway (it may then be paid for twice)',
  },
  { library: /resendPossiblyBilled: true/g, cli: '--resend-possibly-billed' },
  {
    library: /set providerOptions\.edenai\.transport to "json" or "auto"/g,
    cli: 'use --edenai-transport json or auto',
  },
  { library: /or turn strict off\./g, cli: 'or drop --strict.' },
];

/**
 * A library message with its advice in the CLI's terms: flags (`--budget-usd`, `--unknown-cost allow`,
 * `--price <model>=<usd>`, `--max-retries`) and commands (`retouch models`) in place of option paths
 * and method names. Text without library advice comes back unchanged.
 *
 * @example
 * inCliWords('… already spent or reserved; raise budget.maxUsd, or wait'); // '… raise --budget-usd, or wait'
 */
export function inCliWords(message: string): string {
  let text = message;
  for (const { library, cli } of TRANSLATIONS) {
    text =
      typeof cli === 'string'
        ? text.replace(library, cli)
        : text.replace(library, (...args: unknown[]) =>
            cli(...(args.filter((arg) => typeof arg === 'string') as string[])),
          );
  }
  return text;
}

/**
 * Library-only wording that must never reach a CLI user, for tests to check what the CLI prints:
 * option paths (`budget.`, `retry.`), `listModels()` and `resendPossiblyBilled`.
 */
export const LIBRARY_ONLY_WORDING: readonly RegExp[] = [
  /\bbudget\.[a-zA-Z]/,
  /\bretry\.[a-zA-Z]/,
  /listModels\(\)/,
  /resendPossiblyBilled/,
];
