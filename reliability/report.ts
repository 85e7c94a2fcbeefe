/**
 * Writes docs/reliability.md from the figures of the last runs: test-output/matrix.json (written by
 * `pnpm test`, from fault-matrix.test.ts) and test-output/soak.json (written by `pnpm soak`).
 *
 * Run: node reliability/report.ts
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Expectation } from './support/matrix.ts';
import { type PathName, pathDescriptions, pathNames } from './support/paths.ts';
import type { CellFigures } from './support/run-cell.ts';

interface MatrixCell {
  id: string;
  row: string;
  label: string;
  path: PathName;
  notApplicable?: string;
  expected?: Expectation;
  figures?: CellFigures;
  verdict?: 'pass' | 'fail';
}
interface Matrix {
  generatedAt: string;
  node: string;
  deadlineMs: number;
  cells: MatrixCell[];
  processes: Record<
    string,
    {
      exitedByItself: boolean;
      exitCode: number | null;
      exitMs: number;
      unhandledRejections: number;
      leaks: number;
    }
  >;
}

const output = (name: string) => new URL(`./test-output/${name}`, import.meta.url);
if (!existsSync(output('matrix.json'))) {
  console.error('no test-output/matrix.json: run `pnpm test` (or vitest run --project reliability) first');
  process.exit(1);
}
const matrix = JSON.parse(readFileSync(output('matrix.json'), 'utf8')) as Matrix;
const soak = existsSync(output('soak.json'))
  ? (JSON.parse(readFileSync(output('soak.json'), 'utf8')) as Record<string, unknown> & {
      checks: Record<string, boolean>;
      failures: Record<string, number>;
      simulators: {
        oxen: { requests: number; billable: number; faults: number };
        edenai: { requests: number; billable: number; faults: number; spentUsd: number };
      };
    })
  : undefined;

const seconds = (ms: number) => (ms < 100 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

function describeCell(cell: MatrixCell, notes: Map<string, number>): string {
  if (cell.notApplicable !== undefined) {
    if (!notes.has(cell.notApplicable)) notes.set(cell.notApplicable, notes.size + 1);
    return `n/a [${notes.get(cell.notApplicable)}]`;
  }
  const figures = cell.figures;
  if (!figures) return '**no figures**';
  const mark = cell.verdict === 'pass' ? '✅' : '❌';
  const outcome = figures.outcome === 'success' ? 'success' : `\`${figures.outcome}\``;
  const download =
    figures.download && figures.download !== 'ok'
      ? `; bytes(): \`${figures.download}\`${figures.downloadAgain ? `, again: ${figures.downloadAgain === 'ok' ? 'ok' : `\`${figures.downloadAgain}\``}` : ''}`
      : '';
  const job =
    figures.providerJob && figures.providerJob !== 'succeeded' ? `; job ${figures.providerJob}` : '';
  return `${mark} ${outcome}${download}${job} · ${figures.submissions} sent, ${figures.billable} billed · ${seconds(figures.settleMs)}`;
}

const rows = [...new Set(matrix.cells.map((cell) => cell.row))];
const notes = new Map<string, number>();
const tableLines = [
  `| fault | ${pathNames.join(' | ')} |`,
  `| --- | ${pathNames.map(() => '---').join(' | ')} |`,
  ...rows.map((row) => {
    const cells = pathNames.map(
      (path) => matrix.cells.find((cell) => cell.row === row && cell.path === path)!,
    );
    return `| ${cells[0]!.label} | ${cells.map((cell) => describeCell(cell, notes)).join(' | ')} |`;
  }),
];
const applicable = matrix.cells.filter((cell) => cell.notApplicable === undefined);
const passed = applicable.filter((cell) => cell.verdict === 'pass').length;
const billedAtMostOnce = applicable.filter((cell) => (cell.figures?.billable ?? 2) <= 1).length;
const slowest = Math.max(...applicable.map((cell) => cell.figures?.settleMs ?? 0));

const processLines = [
  '| path | ended by itself after close() | exit code | unhandled rejections | keys found |',
  '| --- | --- | --- | --- | --- |',
  ...pathNames.map((path) => {
    const run = matrix.processes[path];
    if (!run) return `| ${path} | no figures | | | |`;
    return `| ${path} | ${run.exitedByItself ? `yes, ${run.exitMs} ms after its last line` : '**no**'} | ${run.exitCode} | ${run.unhandledRejections} | ${run.leaks} |`;
  }),
];

const soakSection = soak
  ? [
      `Last run: ${String(soak.generatedAt)} on Node ${String(soak.node)}, seed ${String(soak.seed)}.`,
      '',
      '| figure | value |',
      '| --- | --- |',
      `| edits | ${String(soak.edits)} in ${String(soak.seconds)} s (${String(soak.editsPerSecond)} a second) |`,
      `| settled | ${String(soak.succeeded)} succeeded, ${String(soak.failed)} failed ${
        Object.keys(soak.failures).length > 0
          ? `(${Object.entries(soak.failures)
              .map(([name, count]) => `${count} \`${name}\``)
              .join(', ')})`
          : ''
      } |`,
      `| faults injected | Oxen ${soak.simulators.oxen.faults} of ${soak.simulators.oxen.requests} requests, Eden AI ${soak.simulators.edenai.faults} of ${soak.simulators.edenai.requests} |`,
      `| retries | ${String(soak.retries)} |`,
      `| billable submissions | Oxen ${soak.simulators.oxen.billable}, Eden AI ${soak.simulators.edenai.billable} (${soak.simulators.oxen.billable + soak.simulators.edenai.billable} for ${String(soak.edits)} edits) |`,
      `| spend (\`stats().spentUsd\`) | $${String(soak.spentUsd)} |`,
      `| sum of the results' \`cost.usd\` | $${String(soak.resultCostUsd)} |`,
      `| result downloads checked | ${String(soak.downloadsChecked)} (${String(soak.downloadsFailedOnce)} needed more than one try, ${String(soak.downloadsLost)} lost after four) |`,
      `| heap after the first ${String(soak.warmUpEdits)} | ${String(soak.heapAfterWarmUpMiB)} MiB |`,
      `| heap after all ${String(soak.edits)} | ${String(soak.heapAfterRunMiB)} MiB (×${String(soak.heapRatio)}) |`,
      '',
      ...Object.entries(soak.checks).map(([name, ok]) => `- ${ok ? '✅' : '❌'} ${name}`),
    ].join('\n')
  : '_No soak figures yet: run `pnpm soak`, then `node reliability/report.ts`._';

const document = `# Reliability

Every edit is billed, so Retouch must settle every job, lose nothing, never pay twice and never leak a
key, whatever the network and the provider do. This page gives the figures from the last run of the
reliability suite in \`reliability/\`: the fault matrix, hostile responses, bad inputs, secrets, the
property-based tests of the mappings, and the soak.

- \`pnpm test\` runs the suite with the others (vitest project \`reliability\`); it writes the matrix's
  figures to \`reliability/test-output/matrix.json\`.
- \`pnpm soak\` runs the soak (about a minute; not part of CI) and writes \`reliability/test-output/soak.json\`.
- \`node reliability/report.ts\` rewrites this page from both.

Everything runs against \`@retouch/simulator\` and small \`node:http\` servers on 127.0.0.1: no real
provider is called.

## The fault matrix

Each cell injects one fault into one path, with the default retry settings and a deadline
(\`timeoutMs\`) of ${seconds(matrix.deadlineMs)}, and checks: the edit settles by its deadline, with success or the
expected typed error (and, for results served by URL, what \`bytes()\` does); no more billable
submissions reach the simulator than the retry rule allows (at most 1 per edit: never paid twice);
no unhandled rejection; no key in any error, result, progress event or log line; and each path's
process ends by itself after \`close()\`, so no timer, socket or stream is left open.

Paths:

${pathNames.map((path) => `- **${path}**: ${pathDescriptions[path]}`).join('\n')}

A cell reads: outcome; for a success whose first \`bytes()\` failed, that error and a second try; the
provider job's final state where the client stopped it; requests that reached the faulted route
("sent"); billable submissions the simulator accepted ("billed"); the time to settle.

Last run: ${matrix.generatedAt} on Node ${matrix.node}. **${passed} of ${applicable.length} applicable cells pass**;
${billedAtMostOnce} of ${applicable.length} were billed at most once; the slowest settled in ${seconds(slowest)}
(the deadline cells, by design). ${matrix.cells.length - applicable.length} cells do not apply.

${tableLines.join('\n')}

Not applicable:

${[...notes].map(([reason, number]) => `${number}. ${reason}`).join('\n')}

How to read the failures that are expected:

- A **500, 502 or reset** on a billable submission is not sent again: the provider may have accepted
  it, and a second submission could be billed twice. The error says so (\`retry.retryUnsafeSubmissions\`
  lifts the rule). A 429, a 503 or a refused connection are provably not accepted, and are retried.
- On the **upload path**, the same faults hit \`POST /v3/upload\`, which is not billable: it is
  retried and the edit succeeds.
- **Malformed or wrong-shape JSON** on a billable answer is an \`InvalidResponseError\`: the work was
  done (billed once), the answer cannot be used, and it is not sent again.
- A **status read that never answers** is abandoned after at most half the time left before the
  edit's ${seconds(matrix.deadlineMs)} deadline (15 s without one), and the next read brings the finished job's result:
  the edit succeeds, billed once. Failed reads of an accepted job are not given up on a retry count:
  they go on until the job settles, the deadline passes or the job is cancelled, since the job is
  paid for. Without a \`timeoutMs\`, a provider that stays down keeps the edit waiting, and each
  \`retrying\` event says so and names the job.
- A **result download** that fails is reported by \`bytes()\`, and the result is not lost: a second
  \`bytes()\` succeeds. A hung download is bounded by the signal given to \`bytes({ signal })\`.

Process exits (each path's cells run in a child process that must end by itself):

${processLines.join('\n')}

## Hostile responses (\`hostile.test.ts\`)

A \`node:http\` proxy in front of the simulators turns hostile on chosen routes:

- a JSON answer that never ends is cut at the 64 MiB cap (\`InvalidResponseError\`), and one whose
  \`Content-Length\` is over the cap is refused unread; a result download that never ends is cut at
  100 MiB. The server-side byte counts show the reads stopped.
- result URLs to \`file:///etc/passwd\` and \`http://169.254.169.254/…\` are never fetched
  (\`InvalidResponseError\`, for Eden AI's \`bytes()\` and Oxen's inline results alike);
- a result URL redirecting to another host is followed without the key; a billable POST answered with a
  redirect is sent nowhere again (nothing billed); a catalogue read redirected elsewhere carries no key;
- an event stream flooded with unrelated events and other clients' completions, and one sending a
  line that never ends (dropped at \`maxEventSize\`, reopened), still settle the job, from its status;
- a \`b64_json\` that is not an image, and a result URL serving HTML, are \`InvalidResponseError\`s;
- a provider echoing the key in an error body, a header or a successful answer: the error, its JSON,
  its stack, its \`responseBody\` and the result's \`raw\` show \`[REDACTED]\`.

## Bad inputs (\`bad-inputs.test.ts\`)

${'81'} bad requests and option combinations (request fields, image inputs, provider options of both
providers, strict mode, client and provider options) are each refused with a typed error whose
message names the field and the fix, and both simulators' request logs stay empty: no network call.
Three refusals need the provider's catalogue (an Oxen model's parameters in strict mode, a budget
against a published price) and are checked apart: they make free catalogue reads only, never a
billable call.

## Secrets

Every test file of the suite watches console output and stdout/stderr, and every error (message,
\`String()\`, stack, \`JSON.stringify\`, \`util.inspect\`, each link of the \`cause\` chain), result and
progress event it produces, for the unique keys its simulators were given; the file fails if one
shows up. Every request a simulator or helper server received is checked: only the key's own provider
ever receives it. \`secrets.test.ts\` proves the watch catches planted keys, then drives a mixed
workload (faults, retries, uploads, jobs, snapshots, a wrong key, keys from the environment) through
both providers at once.

## Property-based tests (\`properties.test.ts\`)

With fast-check: every valid request normalizes and keeps its fields; a request with any one invalid
field is refused naming it. For every model of both providers, arbitrary neutral options are mapped
and the body the simulator records is judged: it carries only what the model's schema (Oxen) or
family (Eden AI) knows, within its capabilities; every option dropped or changed is a warning; and
strict mode refuses exactly what would otherwise be a warning.

## Soak (\`pnpm soak\`)

10,000 edits through three clients (Oxen \`sse\`, \`queue\` and \`sync\`, each paired with an Eden AI
transport: \`auto\`, \`json\` with uploads, \`multipart\`) against simulators in a child process that fault
about 5% of requests at random from a fixed seed: 429s with and without a delay, 503s, garbled and
failed status reads, dropped event streams, resets of uploads and result downloads. These are faults
after which no edit may be lost or paid twice; faults that leave a submission in doubt are the
matrix's.

${soakSection}

## Defects found by this suite, and fixed

- A result URL that had expired (403) was reported as an \`AuthenticationError\` asking to check the
  API key; it is now an \`ApiCallError\` saying the URL likely expired and how to get a fresh one.
- \`bytes()\` could not be bounded: a result host that stopped answering held it for 60 s. It now takes
  \`{ signal }\`.
- Oxen read the model's schema (a network call) before refusing requests that could never work (bad
  \`providerOptions.oxen\` types, fields the adapter owns, options set twice, file ids).
- A garbled answer to a status read failed the whole edit, although the job may have finished and been
  billed; the dispatcher now reads again.
- Failed status reads of an accepted job gave up after \`retry.maxRetries\`, losing a result that was
  paid for, and a hung read held the poll for the HTTP layer's 60 s, past a short deadline. Reads now go
  on until the job settles, its deadline passes or it is cancelled, each with its own shorter timeout.
`;

const target = fileURLToPath(new URL('../docs/reliability.md', import.meta.url));
writeFileSync(target, document);
// Aligned as the repository's formatter aligns Markdown tables, so the page passes `pnpm lint`.
execFileSync(
  fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url)),
  ['format', '--write', target],
  {
    stdio: 'ignore',
  },
);
console.log(
  `docs/reliability.md: ${passed}/${applicable.length} cells pass${soak ? ', soak figures included' : ''}`,
);
