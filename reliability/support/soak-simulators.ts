/**
 * The soak's simulators, in a process of their own so that their memory does not count in the
 * client's heap. Started by soak.ts with an IPC channel: it sends `{ ready, oxen, edenai }` once both
 * listen, answers `stats` with what each simulator counted, and closes both on `close`.
 */
import { type FaultRule, startEdenAISimulator, startOxenSimulator } from '@retouch/simulator';

const seed = Number(process.argv[2] ?? 1);
/** Each route meets a fault on 5% of its requests, split between the rules for it. */
const rate = 0.05;

const oxen = await startOxenSimulator({
  apiKey: `oxen-soak-${process.pid}-${seed}-key`,
  jobSchedule: { queuedMs: 0, processingMs: 5 },
  keepAliveIntervalMs: 1_000,
});
const edenai = await startEdenAISimulator({
  apiKey: `edenai-soak-${process.pid}-${seed}-key`,
  rateLimit: false,
});

// Faults after which a well-behaved client settles every edit without paying twice or losing one:
// refusals before any work, and failures of free reads. (Faults that leave a billable submission in
// doubt are the matrix's business, with its exact expectations.)
const oxenFaults: FaultRule[] = [
  { route: 'POST /api/ai/queue', kind: 'rate-limit', retryAfterSeconds: 0.05, probability: rate / 2 },
  { route: 'POST /api/ai/queue', kind: 'status', status: 503, probability: rate / 2 },
  { route: 'POST /api/ai/images/edit', kind: 'status', status: 503, probability: rate },
  { route: 'GET /api/ai/queue/:id', kind: 'status', status: 500, probability: rate * 0.8 },
  { route: 'GET /api/ai/queue/:id', kind: 'malformed-json', probability: rate * 0.2 },
  { route: 'GET /api/events', kind: 'sse-drop', probability: rate },
  { route: 'GET /files/:id', kind: 'reset-before-body', probability: rate },
];
const edenFaults: FaultRule[] = [
  { route: 'POST /v3/images/edits', kind: 'rate-limit', retryAfterSeconds: 0.05, probability: rate * 0.4 },
  { route: 'POST /v3/images/edits', kind: 'rate-limit-without-retry-after', probability: rate * 0.3 },
  { route: 'POST /v3/images/edits', kind: 'status', status: 503, probability: rate * 0.3 },
  { route: 'POST /v3/upload', kind: 'reset-after-body', probability: rate },
  { route: 'GET /files/:id', kind: 'status', status: 500, probability: rate },
];
oxen.setFaults(oxenFaults, { seed });
edenai.setFaults(edenFaults, { seed: seed + 1 });

const stats = () => ({
  oxen: {
    requests: oxen.requests.length,
    billable: oxen.billableCount,
    faults: oxen.requests.filter((request) => request.fault !== undefined).length,
  },
  edenai: {
    requests: edenai.requests.length,
    billable: edenai.billableCount,
    faults: edenai.requests.filter((request) => request.fault !== undefined).length,
    spentUsd: edenai.spentUsd,
  },
});

process.on('message', async (message: string) => {
  if (message === 'stats') process.send!({ stats: stats() });
  if (message === 'close') {
    await Promise.all([oxen.close(), edenai.close()]);
    process.disconnect();
  }
});
process.send!({
  ready: true,
  oxen: { url: oxen.url, apiKey: oxen.apiKey },
  edenai: { url: edenai.url, apiKey: edenai.apiKey },
});
