/**
 * One arm of the memory scenario, in a fresh process: warms up, settles the heap, resets the kernel's
 * peak-RSS mark, runs one Eden AI edit with the large inputs, and reports peak RSS growth over IPC.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { createRetouch } from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';

/** What the parent passes. */
export interface MemoryClientConfig {
  url: string;
  apiKey: string;
  transport: 'json' | 'multipart';
  model: string;
  paths: string[];
  warmupPath: string;
}

/** What the child reports. */
export interface MemoryClientReport {
  baselineRssBytes: number;
  /** The kernel's high-water mark (VmHWM) after the edit; absent where /proc cannot reset it. */
  peakRssKernelBytes: number | undefined;
  /** The highest RSS a sampling thread saw (every 2 ms, from a thread the edit cannot block). */
  peakRssSampledBytes: number;
  elapsedMs: number;
  imagesReturned: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as MemoryClientConfig;
// Never outlive the benchmark.
process.on('disconnect', () => process.exit(1));

function statusField(name: string): number | undefined {
  try {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function resetPeak(): boolean {
  try {
    // "5" resets the peak RSS (VmHWM) to the current RSS: Linux's clear_refs interface.
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

const collect = (globalThis as { gc?: () => void }).gc;
if (collect === undefined) throw new Error('memory-client must run with --expose-gc');

const sampler = new Worker(
  `const { parentPort } = require('node:worker_threads');
   let peak = 0;
   const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 2);
   parentPort.on('message', (message) => {
     if (message === 'reset') peak = process.memoryUsage.rss();
     else if (message === 'read') parentPort.postMessage(peak);
     else { clearInterval(timer); parentPort.close(); }
   });`,
  { eval: true },
);
const readSampler = () =>
  new Promise<number>((resolve) => {
    sampler.once('message', (peak: number) => resolve(peak));
    sampler.postMessage('read');
  });

const edenai = createEdenAI({
  apiKey: config.apiKey,
  baseURL: config.url,
  transport: config.transport,
  upload: 'never',
});
const retouch = createRetouch({ providers: [edenai] });
const edit = (paths: string[]) =>
  retouch.edit({
    model: config.model,
    prompt: 'Blend these photos into one panorama',
    images: paths.map((path) => ({ path })),
    timeoutMs: 120_000,
  });

// Every code path of the measured edit runs once first, on a small input, so compiled code is not growth.
for (let round = 0; round < 3; round++) await edit(config.paths.map(() => config.warmupPath));
for (let round = 0; round < 3; round++) {
  collect();
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const kernelReset = resetPeak();
sampler.postMessage('reset');
const baselineRssBytes = statusField('VmRSS') ?? process.memoryUsage.rss();
const started = performance.now();
const result = await edit(config.paths);
const elapsedMs = performance.now() - started;
const peakRssKernelBytes = kernelReset ? statusField('VmHWM') : undefined;
const peakRssSampledBytes = await readSampler();
sampler.postMessage('stop');
await retouch.close();

const report: MemoryClientReport = {
  baselineRssBytes,
  peakRssKernelBytes,
  peakRssSampledBytes,
  elapsedMs,
  imagesReturned: result.images.length,
};
process.removeAllListeners('disconnect');
process.send?.(report, () => process.disconnect());
