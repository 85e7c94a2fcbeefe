/**
 * The contract check, checked: applies each wire mutation of `contract/mutations/mutations.ts`, one at
 * a time and in memory, to the modules of the contract's traffic tests, runs those tests (only
 * those), and counts the mutations the contract itself names, in its own words, not merely some test
 * failing. Prints the catch rate; exits non-zero when a mutation goes unnamed, when one lost its
 * anchor in the code, or when the unmutated run fails.
 *
 *   pnpm test:contract-mutations [--concurrency 2] [mutation-id ...]
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lostAnchors, REPOSITORY_ROOT } from '../contract/mutations/apply-mutation.ts';
import { MUTATIONS, type Mutation } from '../contract/mutations/mutations.ts';

/** How each of the contract's checks begins its account: the contract, and not another test, spoke. */
const CONTRACT_HEADINGS = [
  "Traffic departs from the providers' published specs",
  'The Oxen event stream departs from its documented contract',
  "An adapter reads what the providers' published specs do not describe",
];

const VITEST = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const CONFIG = 'contract/mutations/vitest.config.ts';

/** One run of the traffic tests: the failing tests and their messages. */
export interface TrafficRun {
  /** Whether every test passed. */
  passed: boolean;
  failures: { test: string; messages: string[]; durationMs: number }[];
  /** Output of a run that produced no report (vitest itself failed). */
  output?: string;
}

interface JsonReport {
  success: boolean;
  testResults: {
    assertionResults: { fullName: string; status: string; failureMessages: string[]; duration?: number }[];
    message?: string;
  }[];
}

/** The traffic tests a mutation can show in: its provider's, and the check of what adapters read. */
export function trafficFiles(mutation: Mutation): string[] {
  return [`traffic/${mutation.provider}-traffic.test.ts`, 'traffic/adapter-reads.test.ts'];
}

/** Runs the contract's traffic tests (all, or `files`), with a mutation applied when one is named. */
export async function runTrafficTests(options: {
  mutation?: string;
  files?: readonly string[];
  extraArguments?: readonly string[];
}): Promise<TrafficRun> {
  const folder = mkdtempSync(join(tmpdir(), 'retouch-contract-mutation-'));
  const report = join(folder, 'report.json');
  try {
    const output = await new Promise<string>((resolve) => {
      execFile(
        process.execPath,
        [
          VITEST,
          'run',
          '--config',
          CONFIG,
          '--reporter=json',
          `--outputFile=${report}`,
          ...(options.extraArguments ?? []),
        ],
        {
          cwd: REPOSITORY_ROOT,
          env: {
            ...process.env,
            RETOUCH_CONTRACT_MUTATION: options.mutation ?? '',
            NO_COLOR: '1',
            FORCE_COLOR: '0',
          },
          maxBuffer: 64 * 1024 * 1024,
        },
        (_error, stdout, stderr) => resolve(`${stdout}${stderr}`),
      );
    });
    let parsed: JsonReport;
    try {
      parsed = JSON.parse(readFileSync(report, 'utf8')) as JsonReport;
    } catch {
      return { passed: false, failures: [], output };
    }
    const failures = parsed.testResults.flatMap((file) => [
      ...file.assertionResults
        .filter((test) => test.status === 'failed')
        .map((test) => ({
          test: test.fullName,
          messages: test.failureMessages,
          durationMs: test.duration ?? 0,
        })),
      ...(file.message ? [{ test: '(file)', messages: [file.message], durationMs: 0 }] : []),
    ]);
    return { passed: parsed.success && failures.length === 0, failures };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The parts of a run's failure messages that the contract wrote. */
export function contractMessages(run: TrafficRun): string[] {
  return run.failures
    .flatMap((failure) => failure.messages)
    .filter((message) => CONTRACT_HEADINGS.some((heading) => message.includes(heading)));
}

/** Whether the contract named the mutation: one of its messages says what the mutation's `named` says. */
export function namedByContract(mutation: Mutation, run: TrafficRun): boolean {
  return contractMessages(run).some((message) => mutation.named.test(message));
}

/** Runs `work` over `items`, at most `concurrency` at a time, keeping the items' order in the results. */
async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const concurrencyAt = argv.indexOf('--concurrency');
  const concurrency = concurrencyAt >= 0 ? Number(argv.splice(concurrencyAt, 2)[1]) : 2;
  const chosen = argv.length > 0 ? MUTATIONS.filter((mutation) => argv.includes(mutation.id)) : MUTATIONS;
  const unknown = argv.filter((id) => !MUTATIONS.some((mutation) => mutation.id === id));
  if (unknown.length > 0) {
    console.error(
      `unknown mutation ${unknown.join(', ')}; known: ${MUTATIONS.map((mutation) => mutation.id).join(', ')}`,
    );
    return 2;
  }
  const started = Date.now();

  const lost = chosen.flatMap(lostAnchors);
  for (const line of lost) console.error(`anchor lost: ${line}`);
  const runnable = chosen.filter((mutation) => lostAnchors(mutation).length === 0);

  const baseline = await runTrafficTests({});
  if (!baseline.passed) {
    console.error('The contract traffic tests fail without any mutation, so no mutation can be judged:');
    for (const failure of baseline.failures)
      console.error(`- ${failure.test}\n  ${failure.messages.join('\n  ')}`);
    if (baseline.output) console.error(baseline.output);
    return 1;
  }

  const results = await pool(runnable, concurrency, async (mutation) => {
    const began = Date.now();
    const run = await runTrafficTests({ mutation: mutation.id, files: trafficFiles(mutation) });
    const seconds = ((Date.now() - began) / 1000).toFixed(1);
    const named = namedByContract(mutation, run);
    const line = `${named ? 'named ' : 'MISSED'}  ${mutation.id.padEnd(36)} ${mutation.kind.padEnd(22)} ${seconds.padStart(5)} s  ${
      named
        ? `${contractMessages(run).length} contract message(s)`
        : `${run.failures.length} failing test(s), none naming it in the contract's words`
    }`;
    console.log(line);
    if (!named && run.output) console.log(run.output);
    return { mutation, named };
  });

  const caught = results.filter((result) => result.named).length;
  const total = chosen.length;
  const rate = total === 0 ? 100 : Math.round((caught / total) * 1000) / 10;
  console.log(
    `\nContract catch rate: ${caught} of ${total} mutations named by the contract itself (${rate}%)${
      lost.length > 0 ? `; ${chosen.length - runnable.length} not run: their anchor is lost` : ''
    }, in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  for (const result of results.filter((entry) => !entry.named)) {
    console.log(`not named: ${result.mutation.id} (${result.mutation.description})`);
  }
  return caught === total && lost.length === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main();
}
