/**
 * Client CPU per edit, layer by layer: `node --expose-gc --conditions=@retouch/source
 * bench/cpu-by-layer.ts [--edits 1000] [--rounds 8]`. The same sync Oxen edits against a simulator in
 * its own process, 32 at a time, through each layer in turn, in alternating rounds: a raw `fetch` loop
 * (as the overhead scenario's), the same loop sending its body without fetch's replay copy
 * (`redirect: 'error'`, no window, as core does), core's HTTP client, the Oxen adapter called directly,
 * and `retouch.edit()` (32 callers, and whole rounds queued at once as the overhead scenario does).
 * Prints the median CPU per edit of each (all threads and the main thread), the main thread's
 * garbage-collection pauses, and the ratio to the raw loop. docs/performance.md summarizes a run.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createRetouch } from '@retouch/core';
import { createHttpClient, normalizeEditRequest } from '@retouch/core/provider-utils';
import { createOxen } from '@retouch/provider-oxen';
import { OVERHEAD_CONCURRENCY, overheadRequest, recordEditBody } from './support/overhead-edit.ts';
import { startSimulatorProcess } from './support/simulator-process.ts';
import { median } from './support/statistics.ts';

const CONCURRENCY = OVERHEAD_CONCURRENCY;
const { values } = parseArgs({
  options: { edits: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '8' } },
  strict: true,
});
const editsPerRound = Number(values.edits);
const rounds = Number(values.rounds);

const simulator = await startSimulatorProcess({ provider: 'oxen', options: { syncEditDelayMs: 0 } });
const oxen = createOxen({ apiKey: simulator.apiKey, baseURL: simulator.url, mode: 'sync' });
const retouch = createRetouch({ providers: [oxen], limits: { oxen: { concurrency: CONCURRENCY } } });
const request = overheadRequest;
const wireBody = await recordEditBody(simulator, () => retouch.edit(request));
const body = JSON.stringify(wireBody);

const rawEdit = (init: RequestInit) => async (): Promise<unknown> => {
  const response = await fetch(`${simulator.url}/api/ai/images/edit`, {
    method: 'POST',
    headers: { authorization: `Bearer ${simulator.apiKey}`, 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(60_000),
    ...init,
  });
  return response.json();
};
const http = createHttpClient({ provider: 'oxen', baseURL: simulator.url, apiKey: simulator.apiKey });
const adapterEdit = async (): Promise<unknown> => {
  const { signal: _signal, timeoutMs: _timeoutMs, ...normalized } = await normalizeEditRequest(request);
  const context = { http: oxen.http!, signal: new AbortController().signal };
  const prepared = await oxen.prepare!(normalized, context);
  await oxen.estimateCost?.({ request: normalized, plan: prepared.plan }, context);
  return oxen.edit!({ request: normalized, plan: prepared.plan, ...context, idempotencyKey: 'cpu-by-layer' });
};
const callers =
  (edit: () => Promise<unknown>) =>
  async (count: number): Promise<void> => {
    let next = 0;
    const caller = async (): Promise<void> => {
      while (next < count) {
        next++;
        await edit();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, caller));
  };
const arms: Record<string, (count: number) => Promise<unknown>> = {
  'raw fetch loop': callers(rawEdit({})),
  'raw loop, no replay copy': callers(rawEdit({ redirect: 'error', window: null } as RequestInit)),
  "core's HTTP client": callers(() =>
    http.request({ method: 'POST', path: '/api/ai/images/edit', json: wireBody }),
  ),
  'Oxen adapter, directly': callers(adapterEdit),
  'retouch.edit(), 32 callers': callers(() => retouch.edit(request)),
  'retouch.edit(), a round queued': (count) =>
    Promise.all(Array.from({ length: count }, () => retouch.edit(request))),
};

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('cpu-by-layer: run node with --expose-gc');

const names = Object.keys(arms);
for (const name of names) await arms[name]!(400);
const figures = new Map(
  names.map((name) => [name, { all: [] as number[], main: [] as number[], gc: [] as number[] }]),
);
for (let round = 0; round < rounds; round++) {
  for (const name of round % 2 === 0 ? names : [...names].reverse()) {
    gc();
    await settle();
    gcMs = 0;
    const all = process.cpuUsage();
    const main = process.threadCpuUsage();
    await arms[name]!(editsPerRound);
    const allUsed = process.cpuUsage(all);
    const mainUsed = process.threadCpuUsage(main);
    await settle();
    const figure = figures.get(name)!;
    figure.all.push((allUsed.user + allUsed.system) / 1000 / editsPerRound);
    figure.main.push((mainUsed.user + mainUsed.system) / 1000 / editsPerRound);
    figure.gc.push(gcMs / editsPerRound);
  }
}
await retouch.close();
await simulator.close();

const raw = median(figures.get('raw fetch loop')!.all);
console.log(`${editsPerRound} edits a round, ${rounds} rounds an arm; CPU per edit in ms (medians)`);
console.log('arm                              all threads  main thread  main-thread GC  / raw loop');
for (const [name, figure] of figures) {
  const all = median(figure.all);
  console.log(
    `${name.padEnd(32)} ${all.toFixed(3).padStart(11)}  ${median(figure.main).toFixed(3).padStart(11)}  ${median(figure.gc).toFixed(3).padStart(14)}  ${(all / raw).toFixed(2).padStart(10)}`,
  );
}
