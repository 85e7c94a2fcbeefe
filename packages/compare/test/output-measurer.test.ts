import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { measureEdit } from '../src/measures/measure-edit.ts';
import { createOutputMeasurer } from '../src/measures/output-measurer.ts';
import { temporaryDirectory } from './support/io.ts';

async function gradient(options: { width: number; height: number; tint: number }): Promise<Buffer> {
  const { width, height, tint } = options;
  const pixels = Buffer.alloc(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel++) {
    pixels[pixel * 3] = (pixel % width) + tint;
    pixels[pixel * 3 + 1] = Math.floor(pixel / width);
    pixels[pixel * 3 + 2] = 120;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

const dataUrl = (bytes: Buffer) => `data:image/png;base64,${bytes.toString('base64')}`;

describe('the output measurer of a comparison', () => {
  it('measures every saved output, identical ones alike, each with its own overlay file', async () => {
    const outDir = await temporaryDirectory();
    const input = await gradient({ width: 120, height: 80, tint: 0 });
    const edited = await gradient({ width: 60, height: 40, tint: 90 });
    await mkdir(join(outDir, 'outputs'), { recursive: true });
    const files = ['outputs/a.png', 'outputs/b.png', 'outputs/c.png'];
    await writeFile(join(outDir, files[0]!), edited);
    await writeFile(join(outDir, files[1]!), edited);
    await writeFile(join(outDir, files[2]!), input);
    const measurer = createOutputMeasurer({ images: [dataUrl(input)], outDir })!;
    try {
      const [first, second] = await Promise.all(
        [files.slice(0, 2), files.slice(2)].map((group) =>
          measurer.measure(group.map((file) => ({ file, mediaType: 'image/png', bytes: 0 }))),
        ),
      );
      expect(first!.warnings).toEqual([]);
      const [a, b] = first!.images;
      const expected = await measureEdit({ input, output: edited });
      expect(a!.measures).toEqual(expected.measures);
      expect(b!.measures).toEqual(expected.measures);
      expect(a!.overlay).toBe('outputs/a.diff.png');
      expect(b!.overlay).toBe('outputs/b.diff.png');
      const overlay = await readFile(join(outDir, 'outputs/b.diff.png'));
      expect(overlay.equals(Buffer.from(expected.overlay))).toBe(true);
      expect(second!.images[0]!.measures).toMatchObject({ changedShare: 0, keptSimilarity: 1 });
    } finally {
      await measurer.close();
    }
  });

  it('turns an input it cannot decode into a warning for each output, not a failure', async () => {
    const outDir = await temporaryDirectory();
    await writeFile(join(outDir, 'out.png'), await gradient({ width: 20, height: 20, tint: 0 }));
    const measurer = createOutputMeasurer({ images: ['data:image/png;base64,bm90IGFuIGltYWdl'], outDir })!;
    try {
      const { images, warnings } = await measurer.measure([
        { file: 'out.png', mediaType: 'image/png', bytes: 0 },
      ]);
      expect(images[0]!.measures).toBeUndefined();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^out\.png could not be measured: /);
    } finally {
      await measurer.close();
    }
  });
});
