import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';
import { startEdenAISimulator, startOxenSimulator } from '@retouch/simulator';
import sharp from 'sharp';
import { onTestFinished } from 'vitest';
import { type CompareOutcome, runCompare } from '../../src/run-compare.ts';
import { SAMPLE_IMAGE_PATH } from './sample.ts';

/** White over the sample's sky (its top 118 rows), black over the hills. */
async function skyMask(): Promise<string> {
  const width = 384;
  const height = 256;
  const pixels = Buffer.alloc(width * height);
  pixels.fill(255, 0, width * 118);
  const png = await sharp(pixels, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/**
 * Compares three simulated models that treat the mask differently (one keeps it, one leaks past it,
 * one takes no mask and edits everything) on the sample picture, measured, into `outDir`.
 */
export async function runMeasuredComparison(outDir: string): Promise<CompareOutcome> {
  const oxenSimulator = await startOxenSimulator({});
  const edenSimulator = await startEdenAISimulator({});
  const oxen = createOxen({ mode: 'sync', baseURL: oxenSimulator.url, apiKey: oxenSimulator.apiKey });
  onTestFinished(async () => {
    await oxen.close();
    await oxenSimulator.close();
    await edenSimulator.close();
  });
  return runCompare({
    providers: [oxen, createEdenAI({ baseURL: edenSimulator.url, apiKey: edenSimulator.apiKey })],
    models: [
      { model: 'edenai:openai/gpt-image-1-mini' },
      { model: 'oxen:gpt-image-2' },
      { model: 'oxen:flux-kontext-dev' },
    ],
    prompt: 'Turn the sky into a starry night',
    images: [{ path: SAMPLE_IMAGE_PATH }],
    mask: await skyMask(),
    outDir,
  });
}
