/**
 * Where the client's CPU goes in the overhead scenario: `node --conditions=@retouch/source
 * bench/profile-overhead.ts [--edits 3000] [--raw] [--built] [--out file.cpuprofile]`. Runs synchronous Oxen
 * edits at the scenario's concurrency against a simulator in its own process, profiles only the
 * measured edits (V8's sampling profiler, after a warm-up), and prints self time by part: Retouch's
 * own layers, its dependencies, Node's fetch, garbage collection. `--raw` profiles the hand-written
 * fetch loop instead; `--built` runs the built packages (as users do) rather than the sources.
 * docs/performance.md summarizes a run.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { OVERHEAD_CONCURRENCY, overheadRequest, recordEditBody } from './support/overhead-edit.ts';
import { startSimulatorProcess } from './support/simulator-process.ts';

const CONCURRENCY = OVERHEAD_CONCURRENCY;

const { values } = parseArgs({
  options: {
    edits: { type: 'string', default: '3000' },
    raw: { type: 'boolean', default: false },
    built: { type: 'boolean', default: false },
    out: { type: 'string' },
    allocations: { type: 'boolean', default: false },
  },
  strict: true,
});
const edits = Number(values.edits);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The part of the program a frame belongs to, from its script URL. */
function partOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(idle)' || functionName === '(program)') return `${functionName.slice(1, -1)}`;
    return 'native';
  }
  if (url.includes('undici') || url.includes('internal/deps/undici')) return "Node's fetch (undici)";
  if (url.startsWith('node:')) return 'Node internals';
  const match =
    /(?:packages\/(core|provider-oxen|provider-edenai)\/(?:src|dist)\/(?:(dispatcher|http)\/)?)|node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(
      url,
    );
  if (!match) return 'other';
  if (match[1] === 'core')
    return match[2] ? `core ${match[2]}` : 'core contract (request, images, errors, secrets)';
  if (match[1]) return match[1];
  return match[3] ?? 'other';
}

const simulator = await startSimulatorProcess({ provider: 'oxen', options: { syncEditDelayMs: 0 } });
const { createRetouch } = (await import(
  values.built ? '../packages/core/dist/index.js' : '@retouch/core'
)) as typeof import('@retouch/core');
const { createOxen } = (await import(
  values.built ? '../packages/provider-oxen/dist/index.js' : '@retouch/provider-oxen'
)) as typeof import('@retouch/provider-oxen');
const oxen = createOxen({ apiKey: simulator.apiKey, baseURL: simulator.url, mode: 'sync' });
const retouch = createRetouch({ providers: [oxen], limits: { oxen: { concurrency: CONCURRENCY } } });
const request = overheadRequest;
const body = JSON.stringify(await recordEditBody(simulator, () => retouch.edit(request)));

const rawEdit = async (): Promise<void> => {
  const response = await fetch(`${simulator.url}/api/ai/images/edit`, {
    method: 'POST',
    headers: { authorization: `Bearer ${simulator.apiKey}`, 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(60_000),
  });
  const json = (await response.json()) as { images?: { url?: string }[] };
  if (typeof json.images?.[0]?.url !== 'string') throw new Error('raw edit: no URL');
};
const run = async (count: number): Promise<void> => {
  if (values.raw) {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        next++;
        await rawEdit();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } else {
    await Promise.all(Array.from({ length: count }, () => retouch.edit(request)));
  }
};

await run(300);
const session = new Session();
session.connect();
if (values.allocations) {
  // Where the bytes are allocated (sampled every 4 KB), which is what garbage collection pays for.
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await run(edits);
  const { profile: heap } = (await session.post('HeapProfiler.stopSampling')) as {
    profile: { head: HeapNode };
  };
  const bytes = new Map<string, number>();
  const visit = (node: HeapNode, ours: string | undefined): void => {
    const frame = node.callFrame;
    const here = /packages\/(core|provider-oxen|provider-edenai)\//.test(frame.url)
      ? `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/packages\//, '')}:${frame.lineNumber + 1}`
      : ours;
    const owner =
      here ?? `(not under Retouch) ${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\//, '')}`;
    if (node.selfSize > 0) bytes.set(owner, (bytes.get(owner) ?? 0) + node.selfSize);
    for (const child of node.children) visit(child, here);
  };
  visit(heap.head, undefined);
  const total = [...bytes.values()].reduce((sum, value) => sum + value, 0);
  console.log(
    `allocated ${(total / edits / 1024).toFixed(1)} KB per edit (sampled); by the innermost Retouch frame:`,
  );
  for (const [owner, size] of [...bytes].sort((left, right) => right[1] - left[1]).slice(0, 30)) {
    console.log(`  ${(size / edits).toFixed(0).padStart(7)} B  ${owner}`);
  }
  await retouch.close();
  await simulator.close();
  process.exit();
}
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
const cpuBefore = process.cpuUsage();
await run(edits);
const cpu = process.cpuUsage(cpuBefore);
const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
session.disconnect();
await retouch.close();
await simulator.close();
if (values.out) writeFileSync(values.out, JSON.stringify(profile));

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parts = new Map<string, number>();
const functions = new Map<string, number>();
let total = 0;
for (const [index, id] of profile.samples.entries()) {
  const frame = byId.get(id)!.callFrame;
  const ms = (profile.timeDeltas[index] ?? 0) / 1000;
  const part = partOf(frame.url, frame.functionName);
  if (part === 'idle') continue;
  total += ms;
  parts.set(part, (parts.get(part) ?? 0) + ms);
  const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(packages|node_modules)\//, '')}:${frame.lineNumber + 1}`;
  functions.set(name, (functions.get(name) ?? 0) + ms);
}
const cpuMsPerEdit = (cpu.user + cpu.system) / 1000 / edits;
console.log(
  `${values.raw ? 'raw fetch loop' : 'retouch.edit'}: ${edits} edits, client CPU ${cpuMsPerEdit.toFixed(3)} ms/edit (process.cpuUsage); profiled busy time ${(total / edits).toFixed(3)} ms/edit`,
);
console.log('\nself time by part (ms per edit, share of busy time):');
for (const [part, ms] of [...parts].sort((left, right) => right[1] - left[1])) {
  console.log(
    `  ${(ms / edits).toFixed(3).padStart(7)}  ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${part}`,
  );
}
console.log('\nhottest functions (self time, ms per edit):');
for (const [name, ms] of [...functions].sort((left, right) => right[1] - left[1]).slice(0, 25)) {
  console.log(`  ${(ms / edits).toFixed(4).padStart(7)}  ${name}`);
}
process.exit();
