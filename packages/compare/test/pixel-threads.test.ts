import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { comparePixels } from '../src/measures/compare-pixels.ts';
import { measureOutput } from '../src/measures/measure-output.ts';
import { prepareReference } from '../src/measures/measure-reference.ts';
import { createPixelWorkerPool, type PixelWorkerPool } from '../src/measures/pixel-worker-pool.ts';
import { decodeRaster, shrinkRaster } from '../src/measures/raster.ts';

const SIDE = 600;

/** A photo-like picture: gradients, a wavy horizon and fine texture, so every measure has work. */
async function picture(options: {
  shift?: number;
  format?: 'png' | 'jpeg';
  side?: number;
}): Promise<Uint8Array> {
  const shift = options.shift ?? 0;
  const pixels = Buffer.alloc(SIDE * SIDE * 3);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const offset = (y * SIDE + x) * 3;
      const ground = y > SIDE * 0.55 + 40 * Math.sin((x + shift) / 60);
      pixels[offset] = ground ? 40 + ((x * 7 + shift) % 13) : 250 - y / 4;
      pixels[offset + 1] = ground ? 110 + (y % 5) : 150 + y / 8 + (shift > 0 && y < SIDE / 3 ? 60 : 0);
      pixels[offset + 2] = ground ? 60 : 200 - y / 6;
    }
  }
  const pipeline = sharp(pixels, { raw: { width: SIDE, height: SIDE, channels: 3 } }).resize(
    options.side ?? SIDE,
    options.side ?? SIDE,
  );
  return new Uint8Array(await (options.format === 'jpeg' ? pipeline.jpeg() : pipeline.png()).toBuffer());
}

async function topHalfMask(): Promise<Uint8Array> {
  const pixels = Buffer.alloc(SIDE * SIDE);
  pixels.fill(255, 0, (SIDE * SIDE) / 2);
  return new Uint8Array(
    await sharp(pixels, { raw: { width: SIDE, height: SIDE, channels: 1 } })
      .png()
      .toBuffer(),
  );
}

let pool: PixelWorkerPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('comparing pixels on threads', () => {
  it('gives the same numbers and the same overlay as on the calling thread', async () => {
    const input = await picture({});
    pool = createPixelWorkerPool({ size: 2 });
    for (const mask of [await topHalfMask(), undefined]) {
      const reference = await prepareReference({ input, ...(mask ? { mask } : {}) });
      pool.prepare(reference);
      for (const bytes of [
        await picture({ shift: 9, side: 300 }),
        await picture({ shift: 4, format: 'jpeg' }),
      ]) {
        const output = await decodeRaster({ bytes, size: reference.input });
        const factor = reference.similarity!.factor;
        const smallOutput = await shrinkRaster({ raster: output, factor });
        const here = comparePixels({ reference, output, smallOutput });
        const [first, second] = await Promise.all([
          pool.compare({ reference, output, smallOutput }),
          pool.compare({ reference, output, smallOutput }),
        ]);
        expect(here.changedCount).toBeGreaterThan(0);
        expect(here.similarity).toBeLessThan(1);
        for (const threaded of [first, second]) {
          expect({ ...threaded, overlay: undefined }).toEqual({ ...here, overlay: undefined });
          expect(Buffer.from(threaded.overlay.data).equals(Buffer.from(here.overlay.data))).toBe(true);
        }
        const measuredHere = await measureOutput({ reference, output: bytes });
        const measuredThere = await measureOutput({ reference, output: bytes, compare: pool.compare });
        expect(measuredThere.measures).toEqual(measuredHere.measures);
        expect(Buffer.from(measuredThere.overlay).equals(Buffer.from(measuredHere.overlay))).toBe(true);
      }
    }
    expect(pool.threads).toBe(2);
  });

  it('compares on the calling thread, with the same results, where its threads cannot start', async () => {
    const input = await picture({});
    const reference = await prepareReference({ input, mask: await topHalfMask() });
    const output = await decodeRaster({ bytes: await picture({ shift: 9 }), size: reference.input });
    const smallOutput = await shrinkRaster({ raster: output, factor: reference.similarity!.factor });
    pool = createPixelWorkerPool({ size: 1, entry: new URL('./no-such-thread-entry.js', import.meta.url) });
    const threaded = await pool.compare({ reference, output, smallOutput });
    const here = comparePixels({ reference, output, smallOutput });
    expect({ ...threaded, overlay: undefined }).toEqual({ ...here, overlay: undefined });
    expect(pool.threads).toBe(0);
  });

  it('refuses comparisons once closed', async () => {
    pool = createPixelWorkerPool({ size: 1 });
    await pool.close();
    const reference = await prepareReference({ input: await picture({}) });
    await expect(pool.compare({ reference, output: reference.input })).rejects.toThrow(/ended/);
  });
});
