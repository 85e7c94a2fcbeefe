import { describe, expect, it } from 'vitest';
import { createTestImage, maskAdherenceFor } from '../src/index.ts';
import { renderEdit } from '../src/shared/image-transform.ts';
import { decodePng } from '../src/shared/png.ts';

const WIDTH = 64;
const HEIGHT = 32;
const photo = createTestImage({ width: WIDTH, height: HEIGHT, color: ({ x, y }) => [x * 3, y * 6, 120] });
// White (edit) on the left half, in Oxen's convention.
const mask = createTestImage({
  width: WIDTH,
  height: HEIGHT,
  color: ({ x }) => (x < WIDTH / 2 ? [255, 255, 255] : [0, 0, 0]),
});

/** The share of pixels of a column range that differ from the photo. */
function changedShare(model: string, columns: { from: number; to: number }): number {
  const input = decodePng(photo)!;
  const output = decodePng(
    renderEdit({
      canvas: { bytes: photo, sha256: 'photo' },
      mask: { bytes: mask, sha256: 'mask' },
      model,
      prompt: 'Add a moon',
    }).png,
  )!;
  let changed = 0;
  let total = 0;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = columns.from; x < columns.to; x++) {
      const offset = (y * WIDTH + x) * 4;
      total += 1;
      if ([0, 1, 2].some((channel) => output.pixels[offset + channel] !== input.pixels[offset + channel]))
        changed += 1;
    }
  }
  return changed / total;
}

describe('simulated models treat a mask each their own way', () => {
  it('names each behaviour by model, with or without the vendor prefix', () => {
    expect(maskAdherenceFor('qwen-image-edit')).toBe('keeps');
    expect(maskAdherenceFor('openai/gpt-image-2')).toBe('leaks');
    expect(maskAdherenceFor('google/gemini-2.5-flash-image')).toBe('ignores');
    expect(maskAdherenceFor('some-new-model')).toBe('keeps');
  });

  it('keeps every pixel outside the mask, leaks near its edge and beyond, or edits everything', () => {
    const inside = { from: 0, to: WIDTH / 2 };
    const nearEdge = { from: WIDTH / 2, to: WIDTH / 2 + 2 };
    const farSide = { from: WIDTH - 8, to: WIDTH };
    for (const model of ['qwen-image-edit', 'gpt-image-2', 'flux-kontext-dev']) {
      expect(changedShare(model, inside), model).toBeGreaterThan(0.5);
    }
    expect(changedShare('qwen-image-edit', nearEdge)).toBe(0);
    expect(changedShare('qwen-image-edit', farSide)).toBe(0);
    expect(changedShare('gpt-image-2', nearEdge)).toBeGreaterThan(0.5);
    // Far from the mask the leak is a faint shift: most pixels move by a few levels, none by much.
    expect(changedShare('gpt-image-2', farSide)).toBeGreaterThan(0.5);
    expect(changedShare('flux-kontext-dev', farSide)).toBeGreaterThan(0.5);
  });
});
