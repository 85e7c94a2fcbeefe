/**
 * The cross-runtime scenario: the client side. The same steps run on Node, Bun, Deno and workerd
 * (Cloudflare Workers), against simulators the harness (`run.ts`) keeps on Node. This file may use
 * only what every one of those runtimes has: it imports Retouch and nothing from Node.
 */
import { BudgetExceededError, createRetouch, type ProgressEvent } from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';

/** Where the simulators listen, and the picture to edit; the harness passes them to the client. */
export interface ScenarioSettings {
  oxenURL: string;
  oxenApiKey: string;
  edenURL: string;
  edenApiKey: string;
  /** A small PNG, base64: the Eden edit sends it as a multipart file part. */
  pngBase64: string;
}

/** What one step did: `ok` and, either way, a line saying what was seen. */
export interface StepOutcome {
  step: ScenarioStep | string;
  ok: boolean;
  detail: string;
  ms: number;
}

/** The steps, in the order they run. The harness's fault script and checks depend on this order. */
export const SCENARIO_STEPS = [
  'oxen sync edit',
  'oxen sse edit',
  'eden multipart edit',
  'retried 429',
  'budget refusal',
] as const;

export type ScenarioStep = (typeof SCENARIO_STEPS)[number];

/** The `Retry-After` the simulator announces with the 429 of the retry step, in seconds. */
export const RETRY_AFTER_SECONDS = 0.2;

/** Runs every step, one after another; a failed step does not stop the ones after it. */
export async function runScenario(settings: ScenarioSettings): Promise<StepOutcome[]> {
  const events: ProgressEvent[] = [];
  const oxen = createOxen({ apiKey: settings.oxenApiKey, baseURL: settings.oxenURL, mode: 'sync' });
  const oxenEvents = createOxen({ apiKey: settings.oxenApiKey, baseURL: settings.oxenURL, mode: 'sse' });
  const eden = createEdenAI({
    apiKey: settings.edenApiKey,
    baseURL: settings.edenURL,
    transport: 'multipart',
    upload: 'never',
  });
  const retouch = createRetouch({ providers: [oxen, eden], onProgress: (event) => events.push(event) });
  const streaming = createRetouch({ providers: [oxenEvents] });
  // A cap far below one edit's price: the edit must be refused before anything is sent.
  const capped = createRetouch({
    providers: [createOxen({ apiKey: settings.oxenApiKey, baseURL: settings.oxenURL, mode: 'sync' })],
    budget: { maxUsd: 0.000001 },
  });
  const picture = decodeBase64(settings.pngBase64);
  const request = {
    model: 'oxen:qwen-image-edit',
    prompt: 'Make the background blue',
    images: ['https://example.com/photo.jpg'],
  };

  const steps: Record<ScenarioStep, () => Promise<string>> = {
    'oxen sync edit': async () => {
      const result = await retouch.edit(request);
      expect(result.images[0]?.url !== undefined, 'the result has no image URL');
      expect(result.jobId === undefined, `a sync edit made a job (${result.jobId})`);
      return `image at ${new URL(result.images[0]!.url!).pathname}`;
    },
    'oxen sse edit': async () => {
      const result = await streaming.edit(request);
      expect(result.images[0]?.url !== undefined, 'the result has no image URL');
      expect(result.jobId !== undefined, 'the edit made no provider job');
      return `job ${result.jobId} finished`;
    },
    'eden multipart edit': async () => {
      const result = await retouch.edit({
        model: 'edenai:openai/gpt-image-2',
        prompt: 'Add a hat',
        images: [picture],
      });
      const image = result.images[0];
      expect(image !== undefined, 'the result has no image');
      const bytes = await image!.bytes();
      expect(bytes[0] === 0x89 && bytes[1] === 0x50, 'the image is not a PNG');
      return `${bytes.length} bytes of ${image!.mediaType}${result.cost ? `, cost ${result.cost.usd} USD (${result.cost.source})` : ''}`;
    },
    'retried 429': async () => {
      const before = events.length;
      const result = await retouch.edit(request);
      const retries = events.slice(before).filter((event) => event.type === 'retrying');
      expect(retries.length === 1, `expected one retry, saw ${retries.length}`);
      expect(result.images[0]?.url !== undefined, 'the result has no image URL');
      return `retried once after ${retries[0]!.delayMs} ms (${retries[0]!.reason})`;
    },
    'budget refusal': async () => {
      try {
        await capped.edit(request);
      } catch (error) {
        expect(BudgetExceededError.isInstance(error), `expected BudgetExceededError, got ${String(error)}`);
        const refused = error as BudgetExceededError;
        // Refused on the model's price, not for want of one.
        expect(
          refused.requestedUsd > refused.maxUsd,
          `refused with an estimate of ${refused.requestedUsd} USD`,
        );
        return `refused: ${refused.requestedUsd} USD estimated against ${refused.maxUsd} USD`;
      }
      throw new Error('the edit was not refused');
    },
  };

  const outcomes: StepOutcome[] = [];
  try {
    for (const step of SCENARIO_STEPS) {
      const started = Date.now();
      try {
        const detail = await steps[step]();
        outcomes.push({ step, ok: true, detail, ms: Date.now() - started });
      } catch (error) {
        const detail = describeError(error);
        outcomes.push({ step, ok: false, detail, ms: Date.now() - started });
      }
    }
  } finally {
    await Promise.all([retouch.close(), streaming.close(), capped.close()]);
  }
  return outcomes;
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  return Uint8Array.from(binary, (character) => character.charCodeAt(0));
}

/** The error and its causes, so a failure on a runtime without a debugger says what went wrong below. */
function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current !== undefined && depth < 4; depth++) {
    parts.push(current instanceof Error ? `${current.name}: ${current.message}` : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' <- caused by ');
}
