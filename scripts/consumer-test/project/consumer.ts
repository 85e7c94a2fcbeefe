// Type-checked with moduleResolution node16 and bundler against the packed declarations.
import {
  type Cost,
  type EditRequest,
  type EditResult,
  InvalidRequestError,
  normalizeEditRequest,
  type ProviderAdapter,
  sumCosts,
} from '@retouch/core';

const request: EditRequest = {
  model: 'oxen:qwen-image-edit',
  prompt: 'make the sky purple',
  images: [{ path: './photo.png' }],
  aspectRatio: '1:1',
};

// An adapter written against the published spec, as a provider package would.
const echo: ProviderAdapter = {
  id: 'echo',
  specificationVersion: 1,
  async edit(call) {
    return { images: [], warnings: [], raw: { prompt: call.request.prompt } };
  },
};

export function describe(result: EditResult): string {
  const cost: Cost | undefined = sumCosts([result.cost]);
  return `${result.model}: ${cost ? `$${cost.usd.toFixed(4)} (${cost.source})` : 'cost unknown'}`;
}

export async function validate(): Promise<string> {
  try {
    const normalized = await normalizeEditRequest(request);
    return `${echo.id} would receive ${normalized.modelId}`;
  } catch (error) {
    if (InvalidRequestError.isInstance(error)) return error.issues.map((issue) => issue.path).join(', ');
    throw error;
  }
}
