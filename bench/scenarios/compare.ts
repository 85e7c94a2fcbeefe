/**
 * Compare: what measuring the outputs (changed share, mask coverage and leak, kept-region SSIM, the
 * diff overlay) adds to a comparison's wall time. The same comparison of 4 Oxen models on a 1024×1024
 * input with a mask runs against the simulator (in its own process) with measuring off and on, in
 * alternating rounds; the figure is the median of the pairs' added fractions. Every output is measured
 * at the input's size, 1024×1024 (the simulator answers at most 512 pixels a side, stretched back).
 *
 * The simulator answers each synchronous edit after 4 s, the short end of what hosted image-editing
 * models take (4 to 20 s): a faster stand-in would measure the simulator, not a comparison.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCompare } from '@retouch/compare';
import { createOxen } from '@retouch/provider-oxen';
import { createTestImage } from '@retouch/simulator';
import {
  checkTarget,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
} from '../support/scenario.ts';
import { startSimulatorProcess } from '../support/simulator-process.ts';
import { median, round } from '../support/statistics.ts';

/** Measuring 4 outputs adds at most this fraction to the comparison's wall time. */
const TARGET_ADDED_FRACTION = 0.1;
const SIDE = 1024;
const EDIT_DELAY_MS = 4000;
const MODELS = ['oxen:qwen-image-edit', 'oxen:gpt-image-2', 'oxen:flux-kontext-dev', 'oxen:flux-2-pro'];

/** A 1024×1024 landscape-like picture and a mask over its top half, as data: URLs. */
function pictures(): { image: string; mask: string } {
  const image = createTestImage({
    width: SIDE,
    height: SIDE,
    color: ({ x, y }) =>
      y > SIDE * 0.55 + 60 * Math.sin(x / 90)
        ? [40 + (x % 7), 110 + (y % 5), 60]
        : [Math.round(250 - y / 6), Math.round(150 + y / 10), Math.round(200 - y / 8)],
  });
  const mask = createTestImage({
    width: SIDE,
    height: SIDE,
    color: ({ y }) => (y < SIDE / 2 ? [255, 255, 255] : [0, 0, 0]),
  });
  const dataUrl = (bytes: Uint8Array) => `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;
  return { image: dataUrl(image), mask: dataUrl(mask) };
}

async function run(context: ScenarioContext): Promise<ScenarioResult> {
  const rounds = context.mode === 'quick' ? 2 : 4;
  const simulator = await startSimulatorProcess({
    provider: 'oxen',
    options: { syncEditDelayMs: EDIT_DELAY_MS },
  });
  const oxen = createOxen({ apiKey: simulator.apiKey, baseURL: simulator.url, mode: 'sync' });
  const root = await mkdtemp(join(tmpdir(), 'retouch-bench-compare-'));
  const { image, mask } = pictures();
  const once = async (measure: boolean, index: number): Promise<{ wallMs: number; measured: number }> => {
    const { results } = await runCompare({
      providers: [oxen],
      models: MODELS.map((model) => ({ model })),
      prompt: 'Turn the sky into a starry night',
      images: [image],
      mask,
      measure,
      outDir: join(root, `${measure ? 'measured' : 'plain'}-${index}`),
    });
    if (results.summary.succeeded !== MODELS.length) {
      const error = results.runs.find((entry) => entry.error)?.error;
      throw new Error(
        `compare: ${results.summary.failed} of ${MODELS.length} edits failed (${error?.name}: ${error?.message})`,
      );
    }
    const measured = results.runs.flatMap((entry) => entry.images).filter((saved) => saved.measures).length;
    return { wallMs: results.summary.wallTimeMs, measured };
  };
  try {
    await once(true, 0); // warm-up: module loading, JIT, libvips start-up
    const added: number[] = [];
    const plain: number[] = [];
    const measuredTimes: number[] = [];
    for (let index = 1; index <= rounds; index++) {
      // Alternate which arm goes first, so a drift in the machine's load falls on both.
      const order = index % 2 === 0 ? [false, true] : [true, false];
      const times: Record<string, number> = {};
      for (const measure of order) {
        const outcome = await once(measure, index);
        if (measure && outcome.measured !== MODELS.length) {
          throw new Error(`compare: ${outcome.measured} of ${MODELS.length} outputs were measured`);
        }
        times[String(measure)] = outcome.wallMs;
      }
      plain.push(times.false!);
      measuredTimes.push(times.true!);
      added.push(times.true! / times.false! - 1);
      context.log(`round ${index}: ${times.false} ms plain, ${times.true} ms measured`);
    }
    const addedFraction = median(added);
    return {
      name: 'compare',
      summary: `measuring ${MODELS.length} outputs of ${SIDE}×${SIDE} adds ${round(addedFraction * 100, 1)}% to the comparison's wall time (${Math.round(median(measuredTimes))} ms against ${Math.round(median(plain))} ms)`,
      targetText: `<= ${TARGET_ADDED_FRACTION * 100}%`,
      targets: [
        checkTarget({
          figure: 'added wall-time fraction, measured/plain - 1',
          value: addedFraction,
          comparison: '<=',
          threshold: TARGET_ADDED_FRACTION,
        }),
      ],
      figures: { addedFraction, measuredWallMs: measuredTimes },
      baselines: { plainWallMs: plain },
      parameters: { rounds, models: MODELS, side: SIDE, editDelayMs: EDIT_DELAY_MS, mask: 'top half' },
      notes: [`simulated edits take ${EDIT_DELAY_MS} ms; outputs are measured at ${SIDE}×${SIDE}`],
    };
  } finally {
    await oxen.close();
    await simulator.close();
    await rm(root, { recursive: true, force: true });
  }
}

/** The `compare` scenario: the cost of measuring outputs, as a share of a comparison's wall time. */
export const compareScenario: Scenario = { name: 'compare', run };
