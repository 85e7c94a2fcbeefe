import type { CommandName } from './args/command-names.ts';
import type { OxenMode } from './args/connection-flags.ts';
import { DEFAULT_OXEN_MODE } from './session.ts';

/** How each Oxen mode sends an edit, in the order the help lists them. */
const OXEN_MODE_NOTES: Record<OxenMode, string> = {
  sync: '',
  queue: 'polled',
  sse: 'queue + events',
};

/** The modes with their notes, the one the CLI runs without the flag marked as the default. */
function describeOxenModes(): string {
  const modes = (Object.keys(OXEN_MODE_NOTES) as OxenMode[]).map((mode) => {
    const notes = [OXEN_MODE_NOTES[mode], mode === DEFAULT_OXEN_MODE ? 'default' : ''].filter(Boolean);
    return notes.length > 0 ? `${mode} (${notes.join('; ')})` : mode;
  });
  return `${modes.slice(0, -1).join(', ')} or ${modes.at(-1)}`;
}

const OXEN_MODE_FLAG = `  --oxen-mode <mode>         Oxen edits: ${describeOxenModes()}`;

const CONNECTION_FLAGS = `  --simulate                 Use in-process simulators: no API keys, no network
${OXEN_MODE_FLAG}
  --edenai-transport <t>     Eden AI bodies: auto (default), json or multipart
  --json                     Print JSON on stdout instead of tables
  -h, --help                 Show this help`;

const EDIT_FLAGS = `  -p, --prompt <text>        The edit to make
  -i, --image <path|url>     Input picture; repeat for several
  --mask <path|url>          Mask (white = area to edit), for models that take one
  --size <WxH|auto>          Output size, e.g. 1024x1024
  --aspect-ratio <W:H>       Output aspect ratio, e.g. 16:9
  --quality <q>              auto, low, medium or high
  --output-format <f>        png, jpeg (or jpg) or webp
  --n <count>                Output images per edit (1-10)
  --seed <number>            Seed, for models that honour one
  --negative-prompt <text>   What to avoid, for models that take it
  --timeout <seconds>        Give up on an edit after this long`;

const SPENDING_FLAGS = `  --unknown-cost allow       Under --budget-usd, send edits of models without a published price
                             and count what they report (default: refuse them)
  --price <model>=<usd>      A model's price per output image, for the budget; repeat for several
  --max-retries <count>      Retries of a failed request before the edit fails (default 2)`;

const KEYS = `Keys: OXEN_API_KEY for oxen:* models, EDENAI_API_KEY for edenai:* models (not needed with --simulate).`;

const EXIT_CODES = `Exit codes: 0 success, 1 some edits failed, 2 usage error (bad flag, missing key).`;

/** The help text of the whole CLI or of one command. */
export function helpText(topic?: CommandName): string {
  switch (topic) {
    case 'edit':
      return `Usage: retouch edit --model <provider:model> --prompt <text> --image <path|url> [options]

Runs one edit, saves the outputs and prints cost, time and warnings.

Options:
  -m, --model <id>           The model, e.g. oxen:qwen-image-edit or edenai:openai/gpt-image-2
${EDIT_FLAGS}
  --option <key=value>       A provider option in the model's own spelling; repeat for several
  --strict                   Fail instead of dropping or adjusting unsupported options
  --max-retries <count>      Retries of a failed request before the edit fails (default 2)
  --out <dir>                Where to save the outputs (default: .retouch-out)
${CONNECTION_FLAGS}

Example:
  retouch edit --model oxen:qwen-image-edit --prompt "Make the sky purple" --image ./photo.png --aspect-ratio 16:9

${KEYS}
${EXIT_CODES}
`;
    case 'compare':
      return `Usage: retouch compare (--models <a,b,c> | --config <file>) --prompt <text> --image <path|url> [options]

Sends one edit to several models at once (per-provider rate limits and retries), shows live
progress, prints a table and writes report.html, results.json and results.csv.

Options:
  -m, --models <list>        Models separated by commas
  -c, --config <file>        A JSON file: { models, prompt, image(s), repeat, budgetUsd, limits, ... }
${EDIT_FLAGS}
  -r, --repeat <count>       Runs per model, for the latency spread (default 1)
  --budget-usd <amount>      Refuse edits that could push the total past this many dollars
${SPENDING_FLAGS}
  --concurrency <count>      Most edits in flight per provider
  --out <dir>                Where to write the report (default: .retouch-out/compare-<time>)
  --judge <provider:model>   Score each output's prompt adherence (1-10) with a vision model through
                             the AI SDK: openai, anthropic or google (install @ai-sdk/<provider>)
  --judge-prices <in,out>    The judge's US dollars per million input and output tokens; needed
                             with --budget-usd, which then counts the judge too
${CONNECTION_FLAGS}

Example:
  retouch compare --models oxen:qwen-image-edit,oxen:gpt-image-2,edenai:openai/gpt-image-2 \\
    --prompt "Replace the sky with a sunset" --image ./photo.png --repeat 3 --budget-usd 1

Config file (flags override it; paths are relative to the file):
  { "models": ["oxen:qwen-image-edit", { "model": "edenai:openai/gpt-image-2", "label": "gpt-image-2",
      "providerOptions": { "edenai": { "input_fidelity": "high" } } }],
    "prompt": "...", "image": "photo.png", "repeat": 2, "budgetUsd": 1,
    "limits": { "oxen": { "concurrency": 4 }, "edenai": { "requestsPerSecond": 5 } } }

More providers (AI SDK models, your own adapters): "providers": "./providers.mjs" names a module whose
default export gives provider adapters, or a function ({ simulate, env, cwd }) returning them; its
models are then "<id>:<model>", e.g. "openai:gpt-image-1" from fromImageModel in @retouch/ai-sdk.

${KEYS}
${EXIT_CODES}
`;
    case 'batch':
      return `Usage: retouch batch <manifest.jsonl> [options]

Runs one edit per manifest line (an EditRequest as JSON; image paths relative to the manifest),
after checking every line (files, options, and models against the provider's catalogue, or the
dated built-in one offline): a bad line stops the batch before anything is sent. Then it shows progress, prints a table per model and writes report.html, results.json and results.csv.
A journal in the output directory makes the batch resumable: after a crash or Ctrl-C, the same
command skips the lines done, resumes provider jobs already accepted, and never sends a line twice.
Lines are known by their content: fix or add lines and run again, and only those run. The journal
keeps what was spent, so --budget-usd counts every run, possibly billed edits included.

Options:
  --out <dir>                Outputs, journal and report (default: .retouch-out/batch-<manifest name>)
  --concurrency <count>      Edits in flight at once (default 8)
  --budget-usd <amount>      Refuse edits that could push the batch's total past this many dollars
${SPENDING_FLAGS}
  --skip-invalid             Run the lines that pass the checks; report the others as failed
  --retry-failed             Run again the lines that failed in an earlier run (with --redis too),
                             except those that may have been billed (--resend-possibly-billed)
  --resend-possibly-billed   Send again lines an earlier run or worker sent without recording the
                             answer (they may be paid for twice)
  --redis <url>              Enqueue into a Redis queue served by "retouch worker" and follow it
  --queue <name>             The queue's name with --redis (default: retouch-edits)
${CONNECTION_FLAGS}

Manifest line:
  {"model":"oxen:qwen-image-edit","prompt":"Add a hat","images":["photos/cat.png"],"aspectRatio":"1:1"}

Example:
  retouch batch catalogue.jsonl --out edits --budget-usd 20

Traces and metrics go to an OpenTelemetry collector when OTEL_EXPORTER_OTLP_ENDPOINT is set.

${KEYS}
Exit codes: 0 success, 1 some lines failed, 2 usage error, 130 stopped before every line settled.
`;
    case 'worker':
      return `Usage: retouch worker --redis <url> [--config <file>] [options]

Serves a Redis queue of edits (the one "retouch batch --redis" fills) until SIGTERM or Ctrl-C,
sharing each provider's rate limit, concurrency and a budget with every worker of the account.
On SIGTERM it stops taking jobs, lets those in flight finish, and hands back what it can.

Options:
  --redis <url>              The Redis, e.g. redis://127.0.0.1:6379
  -c, --config <file>        A JSON file: { redis, queue, account, concurrency, out, budgetUsd,
                             unknownCost, prices, limits, providers, oxenMode, edenaiTransport,
                             shutdownGraceSeconds }
  --queue <name>             The queue to serve (default: retouch-edits)
  --concurrency <count>      Jobs at once (default 4)
  --out <dir>                Where outputs go (default: .retouch-out/worker); give every worker
                             the same shared directory so "retouch batch" can read them
  --budget-usd <amount>      A budget shared by every worker of the account
${SPENDING_FLAGS}
  --resend-possibly-billed   Send again jobs a stopped worker sent without recording the answer
                             (they may be paid for twice)
  --metrics-port <port>      Serve Prometheus metrics on http://localhost:<port>/metrics
  --simulate                 Use in-process simulators: no API keys, no network
${OXEN_MODE_FLAG}
  --edenai-transport <t>     Eden AI bodies: auto (default), json or multipart
  -h, --help                 Show this help

Example:
  retouch worker --redis redis://127.0.0.1:6379 --config worker.json

Traces and metrics go to an OpenTelemetry collector when OTEL_EXPORTER_OTLP_ENDPOINT is set.

${KEYS}
`;
    case 'ledger':
      return `Usage: retouch ledger --out <batch dir> [--from <time>] [--to <time>] [--recover] [--json]
       retouch ledger --redis <url> [--queue <name>] [--budget-name <name>] [--from <time>] [--to <time>] [--json]

Compares what a batch's journal (or the ledger a queue's workers keep in Redis) recorded with what
Oxen billed over a time range (its generation history, a cost per generation): matched, possibly
billed (sent, answer lost, not in Oxen's records), and orphans (billed by Oxen, never delivered).
Eden AI keeps no such records: its edits are not listed.

Options:
  --out <dir>                The batch's output directory (it holds journal.jsonl)
  --redis <url>              Instead: the Redis of a queue served by retouch worker with a budget
  --queue <name>             With --redis: the queue (default: retouch-edits)
  --budget-name <name>       With --redis: the budget's name (default: the queue's name)
  --from <time>              Start of the range, e.g. 2026-12-08T00:00:00Z (default: a minute before
                             the batch's first send)
  --to <time>                End of the range (default: now)
  --recover                  Download the orphans' outputs into <dir>/outputs and settle them
  --json                     Print the comparison as JSON
  -h, --help                 Show this help

Example:
  retouch ledger --out edits --recover

${KEYS}
Exit codes: 0 everything matched, 1 something does not match, 2 usage error.
`;
    case 'models':
      return `Usage: retouch models [--provider oxen|edenai] [options]

Lists the edit-capable models with their parameters and prices. Without a key (or a network),
a provider's built-in catalogue is listed instead, marked offline with the date it was read.

Options:
  --provider <id>            Only this provider's models
${CONNECTION_FLAGS}

${KEYS}
`;
    case 'demo':
      return `Usage: retouch demo [--out <dir>] [--repeat <count>] [--json]

Starts Oxen and Eden AI simulators in this process and compares five models on a sample picture,
one for each way an edit travels: Oxen sync, Oxen with server-sent events, Oxen's polled queue,
Eden AI over JSON (uploaded file) and Eden AI multipart.
No keys and no network.

Options:
  --out <dir>                Where to write the report (default: .retouch-out/demo)
  -r, --repeat <count>       Runs per model (default 2)
  --json                     Print the results JSON on stdout instead of the table
  --simulate                 Accepted, and always true: the demo never uses real providers
  -h, --help                 Show this help
`;
    default:
      return `Usage: retouch <command> [options]

Edit images with a text prompt through Oxen.ai or Eden AI, and compare models by cost and latency.

Commands:
  edit        Run one edit and save the outputs
  compare     Run one edit on several models; table, report.html, results.json, results.csv
  batch       Run a JSONL manifest of edits, resumable; here or through a Redis queue
  worker      Serve a Redis queue of edits (with retouch batch --redis)
  ledger      Check a batch's or a queue's spend against what Oxen billed; recover paid results
  models      List edit-capable models with parameters and prices
  demo        Compare five models against local simulators: no keys, no network

Run "retouch <command> --help" for a command's options; "retouch --version" for the version.

${KEYS}
${EXIT_CODES}
`;
  }
}
