/**
 * Memory: large PNG files on disk, sent in one Eden AI edit as a multipart body (streamed from disk) and
 * as a JSON body (base64 `data:` URLs). Each arm runs in a fresh client process; the simulator runs in
 * another. The figure is the client's peak RSS growth during the edit divided by the input bytes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endChild, forkTypeScript, nextMessage } from '../support/children.ts';
import { writeLargePng } from '../support/large-png.ts';
import type { MemoryClientConfig, MemoryClientReport } from '../support/memory-client.ts';
import {
  checkTarget,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
} from '../support/scenario.ts';
import { startSimulatorProcess } from '../support/simulator-process.ts';
import { round } from '../support/statistics.ts';

const TARGET_RATIO = 1.5;
const MB = 1_000_000;
const MODEL = 'edenai:openai/gpt-image-1';

interface ArmFigures {
  transport: 'json' | 'multipart';
  inputBytes: number;
  baselineRssMb: number;
  peakRssMb: number;
  growthMb: number;
  /** Peak RSS growth / input bytes. */
  growthPerInputByte: number;
  /** Where the peak came from: the kernel's high-water mark, or the sampling thread. */
  peakSource: 'kernel VmHWM' | 'sampled every 2 ms';
  sampledGrowthMb: number;
  elapsedMs: number;
}

async function runArm(options: { config: MemoryClientConfig; inputBytes: number }): Promise<ArmFigures> {
  const child = forkTypeScript({
    file: new URL('../support/memory-client.ts', import.meta.url),
    args: [JSON.stringify(options.config)],
    execArgv: ['--expose-gc'],
  });
  try {
    const report = await nextMessage({
      child,
      what: `memory client (${options.config.transport})`,
      timeoutMs: 120_000,
      accept: (message) => message as MemoryClientReport,
    });
    if (report.imagesReturned < 1) throw new Error('memory: the edit returned no image');
    const peak = report.peakRssKernelBytes ?? report.peakRssSampledBytes;
    const growth = peak - report.baselineRssBytes;
    return {
      transport: options.config.transport,
      inputBytes: options.inputBytes,
      baselineRssMb: round(report.baselineRssBytes / MB, 1),
      peakRssMb: round(peak / MB, 1),
      growthMb: round(growth / MB, 1),
      growthPerInputByte: round(growth / options.inputBytes, 3),
      peakSource: report.peakRssKernelBytes === undefined ? 'sampled every 2 ms' : 'kernel VmHWM',
      sampledGrowthMb: round((report.peakRssSampledBytes - report.baselineRssBytes) / MB, 1),
      elapsedMs: Math.round(report.elapsedMs),
    };
  } finally {
    await endChild({ child });
  }
}

async function runMemory(context: ScenarioContext): Promise<ScenarioResult> {
  const quick = context.mode === 'quick';
  const count = quick ? 2 : 4;
  const sizeBytes = (quick ? 10 : 25) * MB;
  const inputBytes = count * sizeBytes;
  const directory = await mkdtemp(join(tmpdir(), 'retouch-bench-memory-'));
  const simulator = await startSimulatorProcess({
    provider: 'edenai',
    // The JSON arm's body is a third larger than the files; the simulator must accept it to be measured.
    options: { rateLimit: false, maxJsonBodyBytes: 1024 * MB },
  });
  try {
    const paths = Array.from({ length: count }, (_, index) => join(directory, `input-${index}.png`));
    for (const path of paths) await writeLargePng({ path, bytes: sizeBytes });
    const warmupPath = join(directory, 'warmup.png');
    await writeLargePng({ path: warmupPath, bytes: 64 * 1024 });
    context.log(`${count} x ${sizeBytes / MB} MB PNG inputs in one edit`);
    const config = { url: simulator.url, apiKey: simulator.apiKey, model: MODEL, paths, warmupPath };
    const multipart = await runArm({ config: { ...config, transport: 'multipart' }, inputBytes });
    const json = await runArm({ config: { ...config, transport: 'json' }, inputBytes });
    for (const arm of [multipart, json]) {
      context.log(
        `${arm.transport}: baseline ${arm.baselineRssMb} MB, peak ${arm.peakRssMb} MB (${arm.peakSource}), growth ${arm.growthMb} MB = ${arm.growthPerInputByte} x input (sampled growth ${arm.sampledGrowthMb} MB), ${arm.elapsedMs} ms`,
      );
    }
    return {
      name: 'memory',
      summary: `multipart ${multipart.growthPerInputByte.toFixed(2)} peak RSS growth / input bytes (json ${json.growthPerInputByte.toFixed(2)})`,
      targetText: `multipart <= ${TARGET_RATIO.toFixed(2)}`,
      targets: [
        checkTarget({
          figure: 'multipart: peak RSS growth / input bytes',
          value: multipart.growthPerInputByte,
          comparison: '<=',
          threshold: TARGET_RATIO,
        }),
      ],
      figures: { multipart },
      baselines: { json },
      parameters: {
        inputs: count,
        inputMegabytes: sizeBytes / MB,
        inputBytes,
        model: MODEL,
        upload: 'never',
        simulator: 'Eden AI, separate process; each arm in a fresh client process',
      },
      notes: [
        'Inputs are files given as { path }; growth is measured from a settled heap after a warm-up edit.',
      ],
    };
  } finally {
    await simulator.close();
    await rm(directory, { recursive: true, force: true });
  }
}

/** Scenario 4: peak memory of large inputs, multipart against JSON. */
export const memoryScenario: Scenario = { name: 'memory', run: runMemory };
