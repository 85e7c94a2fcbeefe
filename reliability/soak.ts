/**
 * The soak: 10,000 edits through the dispatcher, over every Oxen mode and Eden AI transport, against
 * simulators (in a child process) that fault about 5% of requests at random, from a fixed seed.
 * Every edit must settle, the client's spend must equal the sum of its results' costs, every billable
 * submission must be one the client knows of, and the heap after the run must be within 1.2× of the
 * heap after the first 1,000 edits. Prints its figures, writes them to test-output/soak.json for the
 * report, and exits non-zero when a check fails.
 *
 * Run: pnpm soak  (node --expose-gc --conditions=@retouch/source reliability/soak.ts [edits] [seed])
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRetouch, type EditRequest, type Retouch, RetouchError } from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';
import { isPng, pngBytes } from './support/png.ts';

const TOTAL = Number(process.argv[2] ?? 10_000);
const SEED = Number(process.argv[3] ?? 20_240_611);
const WARM_UP = Math.min(1_000, Math.floor(TOTAL / 10));
const HEAP_RATIO_LIMIT = 1.2;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with --expose-gc (pnpm soak does)');
  process.exit(2);
}

/** mulberry32: the same seed makes the same mix of requests. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

interface Endpoints {
  oxen: { url: string; apiKey: string };
  edenai: { url: string; apiKey: string };
}
interface SimulatorStats {
  oxen: { requests: number; billable: number; faults: number };
  edenai: { requests: number; billable: number; faults: number; spentUsd: number };
}

const child = fork(fileURLToPath(new URL('./support/soak-simulators.ts', import.meta.url)), [String(SEED)], {
  execArgv: ['--conditions=@retouch/source'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const endpoints = await new Promise<Endpoints>((resolve) => {
  child.once('message', (message) => resolve(message as Endpoints));
});
const simulatorStats = () =>
  new Promise<SimulatorStats>((resolve) => {
    child.once('message', (message) => resolve((message as { stats: SimulatorStats }).stats));
    child.send('stats');
  });

// Three clients, so every path is driven: each pairs one Oxen mode with one Eden AI transport.
const retry = { initialDelayMs: 50, maxDelayMs: 500 };
const limits = {
  oxen: { concurrency: 24, requestsPerSecond: 400 },
  edenai: { concurrency: 24, requestsPerSecond: 400 },
};
const events = { lingerMs: 200, reconnectDelayMs: 20, maxReconnectDelayMs: 200, reconcileIntervalMs: 2_000 };
const oxen = (mode: 'sse' | 'queue' | 'sync') =>
  createOxen({
    ...endpoints.oxen,
    baseURL: endpoints.oxen.url,
    mode,
    pollIntervalMs: 50,
    maxPollIntervalMs: 200,
    events,
  });
const edenai = (transport: 'auto' | 'json' | 'multipart', upload: 'auto' | 'always' | 'never') =>
  createEdenAI({ ...endpoints.edenai, baseURL: endpoints.edenai.url, transport, upload });
const clients: { name: string; edenUrls: boolean; retouch: Retouch }[] = [
  {
    name: 'oxen sse + edenai auto',
    edenUrls: true,
    retouch: createRetouch({ providers: [oxen('sse'), edenai('auto', 'auto')], retry, limits }),
  },
  {
    name: 'oxen queue + edenai json, uploads',
    edenUrls: true,
    retouch: createRetouch({ providers: [oxen('queue'), edenai('json', 'always')], retry, limits }),
  },
  {
    name: 'oxen sync + edenai multipart',
    edenUrls: false,
    retouch: createRetouch({ providers: [oxen('sync'), edenai('multipart', 'never')], retry, limits }),
  },
];

const random = seeded(SEED);
const pictures = [0, 40, 80, 120].map((shade) => pngBytes({ width: 16, height: 16, shade }));
const oxenModels = ['qwen-image-edit', 'qwen-image-edit-plus', 'gpt-image-2', 'flux-kontext-dev'];
const edenUrlModels = ['google/gemini-2.5-flash-image', 'bfl/flux-kontext-pro'];
const edenFileModels = ['openai/gpt-image-2', 'openai/gpt-image-1-mini'];
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/**
 * The edit number `index`. Image URLs are on a host the simulators stand in for (they generate a
 * picture for it); they go only where the provider takes them as URLs, never where the adapter would
 * have to download them (a multipart body), which would leave this machine.
 */
function nextRequest(index: number, options: { edenUrls: boolean }): EditRequest {
  const picture = pick(pictures);
  const url = `https://example.com/soak/${index % 50}.png`;
  const base = { prompt: `soak edit ${index}`, timeoutMs: 30_000 };
  if (random() < 0.5) {
    return { ...base, model: `oxen:${pick(oxenModels)}`, images: [random() < 0.5 ? url : picture] };
  }
  if (random() < 0.5) return { ...base, model: `edenai:${pick(edenFileModels)}`, images: [picture] };
  const image = options.edenUrls && random() < 0.5 ? url : picture;
  return { ...base, model: `edenai:${pick(edenUrlModels)}`, images: [image] };
}

const figures = {
  edits: 0,
  succeeded: 0,
  failed: 0,
  failures: {} as Record<string, number>,
  untypedFailures: 0,
  resultCostUsd: 0,
  downloadsChecked: 0,
  downloadsFailedOnce: 0,
  downloadsLost: 0,
};

async function run(from: number, to: number): Promise<void> {
  const batches = clients.map(() => [] as EditRequest[]);
  for (let index = from; index < to; index++) {
    const position = index % clients.length;
    batches[position]!.push(nextRequest(index, clients[position]!));
  }
  await Promise.all(
    clients.map(async ({ name, retouch }, position) => {
      const clientStarted = performance.now();
      for await (const outcome of retouch.editMany(batches[position]!, { maxInFlight: 48 })) {
        figures.edits++;
        if (outcome.ok) {
          figures.succeeded++;
          figures.resultCostUsd += outcome.result.cost?.usd ?? 0;
          if (outcome.index % 20 === 0) {
            figures.downloadsChecked++;
            // A result download is a free read the caller may repeat: the result is lost only if
            // four tries in a row fail.
            const image = outcome.result.images[0]!;
            let bytes: Uint8Array | undefined;
            for (let attempt = 0; attempt < 4 && !bytes; attempt++) {
              bytes = await image.bytes().catch(() => undefined);
              if (!bytes && attempt === 0) figures.downloadsFailedOnce++;
            }
            if (!bytes || !isPng(bytes)) figures.downloadsLost++;
          }
        } else {
          figures.failed++;
          const name = outcome.error instanceof Error ? outcome.error.name : String(outcome.error);
          figures.failures[name] = (figures.failures[name] ?? 0) + 1;
          if (!RetouchError.isInstance(outcome.error)) figures.untypedFailures++;
          if (process.env.SOAK_DEBUG && figures.failed < 6)
            console.error(outcome.request.model, String(outcome.error));
        }
      }
      if (process.env.SOAK_DEBUG) console.error(name, Math.round(performance.now() - clientStarted), 'ms');
    }),
  );
}

/**
 * The heap still in use after full collections. A collection in the same turn cannot clear what
 * WeakRefs hold (they keep their targets until the turn ends; AbortSignal.any and fetch use them), so
 * the collections are spread over a few turns.
 */
async function heapMiB(): Promise<number> {
  for (let round = 0; round < 4; round++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

const started = performance.now();
await run(0, WARM_UP);
const heapAfterWarmUp = await heapMiB();
await run(WARM_UP, TOTAL);
const heapAfterRun = await heapMiB();
const seconds = (performance.now() - started) / 1000;

const stats = clients.map(({ retouch }) => retouch.stats());
const spentUsd = stats.reduce((total, each) => total + each.spentUsd, 0);
const retries = stats.reduce((total, each) => total + each.retries, 0);
const simulators = await simulatorStats();
await Promise.all(clients.map(({ retouch }) => retouch.close()));
child.send('close');

const round = (value: number, digits = 6) => Math.round(value * 10 ** digits) / 10 ** digits;
const report = {
  generatedAt: new Date().toISOString(),
  node: process.version,
  seed: SEED,
  seconds: round(seconds, 1),
  editsPerSecond: round(TOTAL / seconds, 1),
  ...figures,
  resultCostUsd: round(figures.resultCostUsd),
  spentUsd: round(spentUsd),
  retries,
  heapAfterWarmUpMiB: round(heapAfterWarmUp, 1),
  heapAfterRunMiB: round(heapAfterRun, 1),
  heapRatio: round(heapAfterRun / heapAfterWarmUp, 3),
  warmUpEdits: WARM_UP,
  simulators,
};
const checks = {
  'every edit settled': figures.edits === TOTAL,
  'every failure is a typed RetouchError': figures.untypedFailures === 0,
  "spend equals the sum of the results' costs": Math.abs(spentUsd - figures.resultCostUsd) < 1e-6,
  'no result lost (every checked image downloaded)': figures.downloadsLost === 0,
  // Every billable submission the simulators accepted belongs to an edit the client knows settled.
  'billable submissions ≤ edits (nothing paid twice)':
    simulators.oxen.billable + simulators.edenai.billable <= TOTAL,
  [`heap after the run ≤ ${HEAP_RATIO_LIMIT}× heap after the first ${WARM_UP}`]:
    heapAfterRun <= HEAP_RATIO_LIMIT * heapAfterWarmUp,
};

console.log(`Soak: ${TOTAL} edits in ${report.seconds} s (${report.editsPerSecond}/s), seed ${SEED}`);
console.log(
  `  succeeded ${figures.succeeded}, failed ${figures.failed} ${JSON.stringify(figures.failures)}, retries ${retries}`,
);
console.log(
  `  faults injected: oxen ${simulators.oxen.faults} of ${simulators.oxen.requests} requests, edenai ${simulators.edenai.faults} of ${simulators.edenai.requests}`,
);
console.log(
  `  billable submissions: oxen ${simulators.oxen.billable}, edenai ${simulators.edenai.billable} (edenai billed $${round(simulators.edenai.spentUsd)})`,
);
console.log(`  spent $${report.spentUsd}, sum of result costs $${report.resultCostUsd}`);
console.log(
  `  downloads checked ${figures.downloadsChecked} (${figures.downloadsFailedOnce} needed more than one try, ${figures.downloadsLost} lost after four)`,
);
console.log(
  `  heap after ${WARM_UP}: ${report.heapAfterWarmUpMiB} MiB; after ${TOTAL}: ${report.heapAfterRunMiB} MiB (×${report.heapRatio})`,
);
for (const [name, ok] of Object.entries(checks)) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}`);

const directory = new URL('./test-output/', import.meta.url);
mkdirSync(directory, { recursive: true });
writeFileSync(new URL('soak.json', directory), `${JSON.stringify({ ...report, checks }, null, 2)}\n`);
if (Object.values(checks).some((ok) => !ok)) process.exitCode = 1;
