import { RetouchError } from '@retouch/core';
import { lazyModule } from '@retouch/core/provider-utils';
import { expect, test } from 'vitest';

test('a lazy module is imported once, by the first call, and is at hand without waiting afterwards', async () => {
  let imports = 0;
  const load = lazyModule(async () => {
    imports++;
    return { answer: 42 };
  }, 'the answer');
  expect(imports).toBe(0);
  expect(load.loaded()).toBeUndefined();
  const [first, second] = await Promise.all([load(), load()]);
  expect(first).toBe(second);
  expect(imports).toBe(1);
  expect(load.loaded()).toBe(first);
  expect(await load()).toBe(first);
  expect(imports).toBe(1);
});

test('a failed import names what could not be loaded, and the next call tries again', async () => {
  let imports = 0;
  const load = lazyModule(async () => {
    imports++;
    if (imports === 1) throw new Error('Cannot find module ./wire.js');
    return { ok: true };
  }, "Pixelsmith's response schemas");
  const error = await load().catch((caught: unknown) => caught);
  expect(RetouchError.isInstance(error)).toBe(true);
  expect((error as Error).message).toBe(
    "could not load Pixelsmith's response schemas: Cannot find module ./wire.js",
  );
  expect(load.loaded()).toBeUndefined();
  expect(await load()).toEqual({ ok: true });
  expect(imports).toBe(2);
});
