/**
 * Runs one simulator in its own process, so the benchmarked client shares no event loop or core with it.
 * The parent talks to it over IPC (see simulator-protocol.ts).
 */
import {
  type EdenAISimulator,
  type OpenAISimulator,
  type OxenSimulator,
  startEdenAISimulator,
  startOpenAISimulator,
  startOxenSimulator,
} from '@retouch/simulator';
import type {
  SimulatorChildConfig,
  SimulatorCommand,
  SimulatorMessage,
  SimulatorSummary,
} from './simulator-protocol.ts';
import { wallClockMs } from './statistics.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as SimulatorChildConfig;
const finishedJobs: Record<string, number> = {};

/** mulberry32: a small seeded generator, so the random job durations are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function send(message: SimulatorMessage): void {
  process.send?.(message);
}

let oxen: OxenSimulator | undefined;
let edenai: EdenAISimulator | undefined;
let openai: OpenAISimulator | undefined;
if (config.provider === 'oxen') {
  const random = seededRandom(20_240_601);
  const spread = config.finishSpreadMs;
  oxen = await startOxenSimulator({
    ...config.options,
    ...(spread === undefined
      ? {}
      : { jobSchedule: () => ({ queuedMs: 0, processingMs: random() * spread }) }),
    onJobFinished: (job) => {
      finishedJobs[job.generationId] = wallClockMs();
    },
  });
} else if (config.provider === 'openai') {
  openai = await startOpenAISimulator(config.options);
} else {
  edenai = await startEdenAISimulator(config.options);
}
const simulator = (oxen ?? edenai ?? openai)!;

function summary(): SimulatorSummary {
  const byRoute: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  const acceptedEditTimes: number[] = [];
  const rateLimitedEditTimes: number[] = [];
  let lastEditBody: unknown;
  for (const request of simulator.requests) {
    const route = request.route ?? 'unmatched';
    byRoute[route] = (byRoute[route] ?? 0) + 1;
    const status = String(request.status ?? 'none');
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    const isEdit =
      route === 'POST /v3/images/edits' ||
      route === 'POST /api/ai/images/edit' ||
      route === 'POST /v1/images/edits';
    if (isEdit) lastEditBody = request.body;
    if (isEdit && request.status !== undefined && request.status >= 200 && request.status < 300) {
      acceptedEditTimes.push(request.at);
    }
    if (isEdit && request.status === 429) rateLimitedEditTimes.push(request.at);
  }
  return {
    requests: simulator.requests.length,
    byRoute,
    byStatus,
    billable: simulator.billableCount,
    billablePrompts: simulator.requests
      .filter((request) => request.billable)
      .map((request) => {
        // JSON bodies carry the prompt at the top; multipart bodies among their text fields.
        const body = request.body as { prompt?: unknown; fields?: { prompt?: unknown } } | undefined;
        return String(body?.prompt ?? body?.fields?.prompt ?? '');
      }),
    rateLimited: edenai?.counters.rateLimited ?? openai?.counters.rateLimited ?? 0,
    eventStreamsOpened: oxen?.counters.eventStreamsOpened ?? 0,
    acceptedEditTimes,
    rateLimitedEditTimes,
    finishedJobs: { ...finishedJobs },
    lastEditBody,
  };
}

process.on('message', (raw) => {
  const message = raw as SimulatorCommand;
  if (message.command === 'summary') {
    send({ type: 'reply', id: message.id, summary: summary() });
  } else if (message.command === 'clear') {
    simulator.clearRequests();
    for (const id of Object.keys(finishedJobs)) delete finishedJobs[id];
    send({ type: 'reply', id: message.id });
  } else if (message.command === 'close') {
    void simulator.close().then(() => {
      send({ type: 'reply', id: message.id });
      process.disconnect();
    });
  }
});
// Never outlive the benchmark.
process.on('disconnect', () => {
  void simulator.close().finally(() => process.exit(0));
});
send({ type: 'ready', url: simulator.url, apiKey: simulator.apiKey });
