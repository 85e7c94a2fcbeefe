import { createHash } from 'node:crypto';
import { editWeights, type MaskCoverage, maskAdherenceFor } from './mask-adherence.ts';
import { decodePng, encodePng, type Raster } from './png.ts';

/** The image formats the simulator recognizes by their first bytes. */
export type SniffedImageType = 'png' | 'jpeg' | 'gif' | 'webp';

/** Recognizes an image format from its magic bytes. */
export function sniffImageType(bytes: Uint8Array): SniffedImageType | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    return 'png';
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const head = Buffer.from(bytes.subarray(0, 12)).toString('latin1');
  if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return 'gif';
  if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') return 'webp';
  return undefined;
}

/**
 * One input picture. `bytes` is absent when the input was too large to keep in memory: the output is
 * then generated from `sha256` alone, which keeps a 200 MB upload from being held by the simulator.
 */
export interface ImageSource {
  bytes?: Uint8Array;
  sha256: string;
}

/** Options of {@link renderEdit}. */
export interface RenderEditOptions {
  /** The first input: the picture being edited. */
  canvas: ImageSource;
  /** Further inputs; they only seed the picture generated when the canvas cannot be decoded. */
  references?: ImageSource[];
  /** A mask restricting the edit; pixels outside the edited region keep their colour. */
  mask?: ImageSource;
  /** Oxen masks are white where the edit applies; Eden AI (OpenAI) masks are transparent there. */
  maskConvention?: 'white-edits' | 'transparent-edits';
  /**
   * The model asked for, e.g. `qwen-image-edit`: it picks the edit's look (see {@link simulatedEditFor}),
   * so a comparison of several models shows different pictures. Without it the canvas is inverted.
   */
  model?: string;
  prompt: string;
  /** Which of several outputs of one request this is, so outputs of `n > 1` differ. */
  variant?: number;
  /** Requested output size when the canvas cannot be decoded, e.g. `{ width: 1024, height: 1024 }`. */
  size?: { width: number; height: number };
}

/**
 * The looks a simulated model gives a picture. Each model has one, picked by a hash of its id, and its
 * strength (the tint, the number of levels, the contrast...) follows the model and the prompt.
 */
export const SIMULATED_EDITS = [
  'invert',
  'warm',
  'cool',
  'mirror',
  'posterize',
  'sepia',
  'contrast',
  'grayscale',
  'solarize',
  'swap',
] as const;

/** One of {@link SIMULATED_EDITS}. */
export type SimulatedEdit = (typeof SIMULATED_EDITS)[number];

/** The look and its strength (0 to 1) that a model gives a picture for a prompt. */
export interface SimulatedEditChoice {
  edit: SimulatedEdit;
  strength: number;
}

/**
 * The look a model gives a picture: chosen by a hash of the model id, its strength by a hash of the
 * model id and the prompt. Without a model, `invert` at full strength.
 *
 * @example
 * simulatedEditFor({ model: 'qwen-image-edit', prompt: 'Add a hat' }); // e.g. { edit: 'sepia', strength: 0.62 }
 */
export function simulatedEditFor(options: {
  model: string | undefined;
  prompt: string;
}): SimulatedEditChoice {
  if (options.model === undefined) return { edit: 'invert', strength: 1 };
  const modelDigest = createHash('sha256').update(options.model).digest();
  const promptDigest = createHash('sha256').update(`${options.model}\n${options.prompt}`).digest();
  return {
    edit: SIMULATED_EDITS[modelDigest.readUInt32BE(0) % SIMULATED_EDITS.length]!,
    strength: promptDigest[0]! / 255,
  };
}

/** A colour transform of one pixel: red, green and blue in, red, green and blue out. */
type ColourTransform = (rgb: [number, number, number]) => [number, number, number];

function clampByte(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
}

/** The colour part of a look (`mirror` moves pixels and keeps their colours). */
function colourTransform(choice: SimulatedEditChoice): ColourTransform {
  const { strength } = choice;
  switch (choice.edit) {
    case 'invert':
      return ([red, green, blue]) => [255 - red, 255 - green, 255 - blue];
    case 'warm': {
      const shift = 40 + strength * 50;
      return ([red, green, blue]) => [
        clampByte(red + shift),
        clampByte(green + shift / 3),
        clampByte(blue - shift),
      ];
    }
    case 'cool': {
      const shift = 40 + strength * 50;
      return ([red, green, blue]) => [
        clampByte(red - shift),
        clampByte(green + shift / 4),
        clampByte(blue + shift),
      ];
    }
    case 'posterize': {
      const step = 255 / (1 + Math.round(1 + strength * 3));
      const level = (value: number) => clampByte(Math.round(value / step) * step);
      return ([red, green, blue]) => [level(red), level(green), level(blue)];
    }
    case 'sepia': {
      const amount = 0.7 + strength * 0.3;
      return ([red, green, blue]) => [
        clampByte(red + (red * 0.393 + green * 0.769 + blue * 0.189 - red) * amount),
        clampByte(green + (red * 0.349 + green * 0.686 + blue * 0.168 - green) * amount),
        clampByte(blue + (red * 0.272 + green * 0.534 + blue * 0.131 - blue) * amount),
      ];
    }
    case 'contrast': {
      const factor = 1.6 + strength * 1.2;
      const stretch = (value: number) => clampByte((value - 128) * factor + 128);
      return ([red, green, blue]) => [stretch(red), stretch(green), stretch(blue)];
    }
    case 'grayscale': {
      const amount = 0.7 + strength * 0.3;
      return ([red, green, blue]) => {
        const luma = red * 0.299 + green * 0.587 + blue * 0.114;
        return [
          clampByte(red + (luma - red) * amount),
          clampByte(green + (luma - green) * amount),
          clampByte(blue + (luma - blue) * amount),
        ];
      };
    }
    case 'solarize': {
      const threshold = 64 + strength * 128;
      const flip = (value: number) => (value >= threshold ? 255 - value : value);
      return ([red, green, blue]) => [flip(red), flip(green), flip(blue)];
    }
    case 'swap':
      return strength < 0.5
        ? ([red, green, blue]) => [blue, red, green]
        : ([red, green, blue]) => [green, blue, red];
    case 'mirror': {
      // Mirrored pixels keep their colours, a little brighter so two mirroring models still differ.
      const lift = 8 + strength * 24;
      return ([red, green, blue]) => [clampByte(red + lift), clampByte(green + lift), clampByte(blue + lift)];
    }
  }
}

/** Largest side of any output: outputs stay small so tests stay fast. */
const maximumOutputSide = 512;
const defaultGeneratedSide = 256;

/** Hex SHA-256 of some bytes. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function downscale(raster: Raster): Raster {
  const factor = Math.ceil(Math.max(raster.width, raster.height) / maximumOutputSide);
  if (factor <= 1) return raster;
  const width = Math.max(1, Math.floor(raster.width / factor));
  const height = Math.max(1, Math.floor(raster.height / factor));
  const pixels = new Uint8Array(width * height * 4);
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      const source = (row * factor * raster.width + column * factor) * 4;
      pixels.set(raster.pixels.subarray(source, source + 4), (row * width + column) * 4);
    }
  }
  return { width, height, pixels };
}

function fitSize(size: { width: number; height: number } | undefined): { width: number; height: number } {
  if (size === undefined || !(size.width > 0) || !(size.height > 0)) {
    return { width: defaultGeneratedSide, height: defaultGeneratedSide };
  }
  const scale = Math.min(1, maximumOutputSide / Math.max(size.width, size.height));
  return {
    width: Math.max(1, Math.round(size.width * scale)),
    height: Math.max(1, Math.round(size.height * scale)),
  };
}

/** A diagonal two-colour gradient with stripes, its colours taken from a hash: same inputs, same picture. */
function generate(options: { seed: string; width: number; height: number }): Raster {
  const digest = createHash('sha256').update(options.seed).digest();
  const { width, height } = options;
  const pixels = new Uint8Array(width * height * 4);
  const stripe = 8 + (digest[6]! % 24);
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      const mix = (row + column) / Math.max(1, width + height - 2);
      const inStripe = Math.floor((row + column) / stripe) % 2 === 0;
      const target = (row * width + column) * 4;
      for (let channel = 0; channel < 3; channel++) {
        const from = digest[channel]!;
        const to = digest[channel + 3]!;
        const value = Math.round(from + (to - from) * mix);
        pixels[target + channel] = inStripe ? value : 255 - value;
      }
      pixels[target + 3] = 255;
    }
  }
  return { width, height, pixels };
}

/** Where the mask lets the edit through, read at the canvas's size (the mask may be smaller or larger). */
function maskCoverage(options: { mask: Raster; convention: string; canvas: Raster }): MaskCoverage {
  const { mask, canvas } = options;
  const coverage = new Uint8Array(canvas.width * canvas.height);
  for (let y = 0; y < canvas.height; y++) {
    for (let x = 0; x < canvas.width; x++) {
      const maskX = Math.min(mask.width - 1, Math.floor((x * mask.width) / canvas.width));
      const maskY = Math.min(mask.height - 1, Math.floor((y * mask.height) / canvas.height));
      const offset = (maskY * mask.width + maskX) * 4;
      const edits =
        options.convention === 'transparent-edits'
          ? mask.pixels[offset + 3]! < 128
          : (mask.pixels[offset]! + mask.pixels[offset + 1]! + mask.pixels[offset + 2]!) / 3 >= 128;
      if (edits) coverage[y * canvas.width + x] = 255;
    }
  }
  return coverage;
}

/**
 * Produces the "edited" picture as PNG bytes. A decodable PNG canvas gets the model's look (see
 * {@link simulatedEditFor}: inverted, tinted, mirrored, posterized...; alpha kept) inside the mask, as
 * the model treats masks ({@link maskAdherenceFor}: kept exactly outside it, leaking a little, or ignored),
 * and variant `k` rotates the colour channels `k` times so outputs of one request differ; any other
 * input yields a generated gradient seeded by the inputs, the model and the prompt. Deterministic
 * throughout: the same model, prompt and input give the same bytes.
 */
export function renderEdit(options: RenderEditOptions): { png: Buffer; width: number; height: number } {
  const variant = options.variant ?? 0;
  const decoded = options.canvas.bytes === undefined ? undefined : decodePng(options.canvas.bytes);
  let raster: Raster;
  if (decoded === undefined) {
    const seed = [
      options.canvas.sha256,
      ...(options.references ?? []).map((reference) => reference.sha256),
      ...(options.model === undefined ? [] : [`model:${options.model}`]),
      options.prompt,
      String(variant),
    ].join('\n');
    raster = generate({ seed, ...fitSize(options.size) });
  } else {
    const canvas = downscale(decoded);
    const mask = options.mask?.bytes === undefined ? undefined : decodePng(options.mask.bytes);
    const convention = options.maskConvention ?? 'white-edits';
    const choice = simulatedEditFor({ model: options.model, prompt: options.prompt });
    const transform = colourTransform(choice);
    const mirrored = choice.edit === 'mirror';
    const pixels = new Uint8Array(canvas.pixels);
    const rotation = variant % 3;
    const { weights, shift } = editWeights({
      width: canvas.width,
      height: canvas.height,
      coverage: mask === undefined ? undefined : maskCoverage({ mask, convention, canvas }),
      adherence: maskAdherenceFor(options.model),
    });
    for (let y = 0; y < canvas.height; y++) {
      for (let x = 0; x < canvas.width; x++) {
        const offset = (y * canvas.width + x) * 4;
        const weight = weights[y * canvas.width + x]!;
        if (weight === 0) {
          if (shift !== undefined) {
            const amount = shift({ x, y });
            for (let channel = 0; channel < 3; channel++) {
              pixels[offset + channel] = clampByte(canvas.pixels[offset + channel]! + amount);
            }
          }
          continue;
        }
        const source = mirrored ? (y * canvas.width + (canvas.width - 1 - x)) * 4 : offset;
        const channels = transform([
          canvas.pixels[source]!,
          canvas.pixels[source + 1]!,
          canvas.pixels[source + 2]!,
        ]);
        for (let channel = 0; channel < 3; channel++) {
          const edited = channels[(rotation + channel) % 3]!;
          pixels[offset + channel] = clampByte(
            canvas.pixels[offset + channel]! + (edited - canvas.pixels[offset + channel]!) * weight,
          );
        }
        pixels[offset + 3] = canvas.pixels[source + 3]!;
      }
    }
    raster = { width: canvas.width, height: canvas.height, pixels };
  }
  return { png: encodePng(raster), width: raster.width, height: raster.height };
}

/**
 * Renders the `count` outputs of one edit request, variant 0 first; the size reported is the last
 * output's, as all of them share it.
 */
export function renderVariants(options: Omit<RenderEditOptions, 'variant'> & { count: number }): {
  pngs: Buffer[];
  width: number;
  height: number;
} {
  const { count, ...edit } = options;
  const pngs: Buffer[] = [];
  let width = 0;
  let height = 0;
  for (let variant = 0; variant < count; variant++) {
    const rendered = renderEdit({ ...edit, variant });
    pngs.push(rendered.png);
    width = rendered.width;
    height = rendered.height;
  }
  return { pngs, width, height };
}

/** Parses `"1024x768"` into a size, or `undefined`. */
export function parseSize(value: unknown): { width: number; height: number } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{1,5})x(\d{1,5})$/.exec(value.trim());
  if (match === null) return undefined;
  return { width: Number(match[1]), height: Number(match[2]) };
}
