import {
  createRetouch,
  type EditRequest,
  InvalidRequestError,
  type ProviderAdapter,
  UnsupportedFeatureError,
} from '@retouch/core';
import { describe, expect, test } from 'vitest';

const request: EditRequest = {
  model: 'scripted:model-a',
  prompt: 'add a hat',
  images: ['https://example.com/cat.png'],
};

/** An adapter whose `prepare` refuses `steps` above 50 and drops an unknown `style`; it counts its edits. */
function scriptedAdapter(): ProviderAdapter & { edits: number; prepared: number } {
  const adapter = {
    id: 'scripted',
    specificationVersion: 2 as const,
    edits: 0,
    prepared: 0,
    async prepare(normalized: Parameters<NonNullable<ProviderAdapter['prepare']>>[0]) {
      adapter.prepared++;
      const { steps, style } = normalized.providerOptions as { steps?: number; style?: string };
      if (steps !== undefined && steps > 50) {
        throw new InvalidRequestError({
          issues: [{ path: 'providerOptions.scripted.steps', message: 'steps must be at most 50' }],
        });
      }
      return {
        plan: undefined,
        warnings:
          style === undefined
            ? []
            : [
                {
                  type: 'unsupported-option' as const,
                  option: 'providerOptions.scripted.style' as const,
                  message: 'model-a has no parameter "style"; it was not sent',
                },
              ],
      };
    },
    async edit() {
      adapter.edits++;
      return { images: [], raw: {}, warnings: [] };
    },
  };
  return adapter;
}

describe('retouch.check()', () => {
  test('prepares the request as edit() would and returns its warnings, sending nothing', async () => {
    const adapter = scriptedAdapter();
    const retouch = createRetouch({ providers: [adapter] });
    try {
      const check = await retouch.check({ ...request, providerOptions: { scripted: { style: 'noir' } } });
      expect(check.warnings).toEqual([
        expect.objectContaining({ type: 'unsupported-option', option: 'providerOptions.scripted.style' }),
      ]);
      expect((await retouch.check(request)).warnings).toEqual([]);
      expect(adapter.prepared).toBe(2);
      expect(adapter.edits).toBe(0);
    } finally {
      await retouch.close();
    }
  });

  test("throws what edit() would refuse before sending: the adapter's refusal, a bad field, strict mode", async () => {
    const adapter = scriptedAdapter();
    const retouch = createRetouch({ providers: [adapter] });
    const strict = createRetouch({ providers: [adapter], strict: true });
    try {
      const refused = await retouch
        .check({ ...request, providerOptions: { scripted: { steps: 99 } } })
        .catch((error: unknown) => error);
      expect(InvalidRequestError.isInstance(refused) && refused.issues[0]?.path).toBe(
        'providerOptions.scripted.steps',
      );
      await expect(retouch.check({ ...request, prompt: '' })).rejects.toSatisfy((error) =>
        InvalidRequestError.isInstance(error),
      );
      await expect(
        strict.check({ ...request, providerOptions: { scripted: { style: 'noir' } } }),
      ).rejects.toSatisfy((error) => UnsupportedFeatureError.isInstance(error));
      expect(adapter.edits).toBe(0);
    } finally {
      await retouch.close();
      await strict.close();
    }
    await expect(retouch.check(request)).rejects.toThrow(/client is closed/);
  });
});
