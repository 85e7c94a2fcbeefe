// Type-checked with moduleResolution node16 and bundler against the packed declarations.
import {
  type Cost,
  createRetouch,
  type EditRequest,
  type EditResult,
  InvalidRequestError,
  type ProgressEvent,
  type ProviderAdapter,
  type Retouch,
} from '@retouch/core';
import { editRequestSchema } from '@retouch/core/schemas';
import { createEdenAI, type EdenAIProvider } from '@retouch/provider-edenai';
import { createOxen, type OxenMode, type OxenProvider } from '@retouch/provider-oxen';
import { createEditQueue, type EditQueue, type QueuedEditResult } from '@retouch/queue';
import { type OxenSimulator, startEdenAISimulator, startOxenSimulator } from '@retouch/simulator';

// An adapter written against the published spec, as a third-party provider package would.
const echo: ProviderAdapter = {
  id: 'echo',
  specificationVersion: 2,
  async edit(call) {
    return { images: [], warnings: [], raw: { prompt: call.request.prompt } };
  },
};

export function describe(result: EditResult): string {
  const cost: Cost | undefined = result.cost;
  return `${result.model}: ${cost ? `$${cost.usd.toFixed(4)} (${cost.source})` : 'cost unknown'}`;
}

/** A request read from JSON, checked by the contract's own schema. */
export function readRequest(text: string): EditRequest {
  return editRequestSchema.parse(JSON.parse(text));
}

export async function run(mode: OxenMode): Promise<string[]> {
  const oxenSimulator: OxenSimulator = await startOxenSimulator({ jobDurationMs: 20 });
  const edenaiSimulator = await startEdenAISimulator();
  const oxen: OxenProvider = createOxen({ baseURL: oxenSimulator.url, apiKey: oxenSimulator.apiKey, mode });
  const edenai: EdenAIProvider = createEdenAI({
    baseURL: edenaiSimulator.url,
    apiKey: edenaiSimulator.apiKey,
  });
  const events: ProgressEvent[] = [];
  const retouch: Retouch = createRetouch({
    providers: [oxen, edenai, echo],
    budget: { maxUsd: 1 },
    onProgress: (event) => events.push(event),
  });
  const request: EditRequest = {
    model: 'oxen:qwen-image-edit',
    prompt: 'make the sky purple',
    images: [{ path: './photo.png' }],
    aspectRatio: '1:1',
  };
  try {
    const lines: string[] = [];
    for await (const outcome of retouch.editMany([
      request,
      { ...request, model: 'edenai:openai/gpt-image-2' },
    ])) {
      if (outcome.ok) lines.push(describe(outcome.result));
      else if (InvalidRequestError.isInstance(outcome.error)) lines.push(outcome.error.issues[0]?.path ?? '');
    }
    const job = await retouch.submit(request);
    const resumed = await retouch.resume(JSON.parse(JSON.stringify(job.toJSON())));
    lines.push(describe(await resumed.result()), `${events.length} events`);
    return lines;
  } finally {
    await retouch.close();
    await Promise.all([oxenSimulator.close(), edenaiSimulator.close()]);
  }
}

// @retouch/ai-sdk against the published AI SDK spec types (its peer @ai-sdk/provider).
import type { ImageModelV4 } from '@ai-sdk/provider';
import { createRetouchProvider, fromImageModel, type ImageModelPrices } from '@retouch/ai-sdk';

export function bridge(model: ImageModelV4, prices: ImageModelPrices): ImageModelV4 {
  const retouch: Retouch = createRetouch({ providers: [fromImageModel(model, { id: 'bridged', prices })] });
  return createRetouchProvider(retouch).image('bridged:model');
}

// The queue's API against the packed declarations; nothing connects until a method is called.
export function queueFor(url: string): EditQueue {
  return createEditQueue({ connection: url, name: 'consumer' });
}

export function paths(result: QueuedEditResult): string[] {
  return result.images.map((image) => ('path' in image ? image.path : image.url));
}

// The comparison's results as a script reads them: typed rows to sort, saved as JSON.
import { type CompareResults, resultsToJson } from '@retouch/compare';

export function cheapestFirst(results: CompareResults): string {
  const rows = [...results.rows].sort(
    (left, right) => (left.costPerImageUsd ?? Infinity) - (right.costPerImageUsd ?? Infinity),
  );
  return resultsToJson({ ...results, rows });
}
