/**
 * How a simulated model treats a mask, so that a comparison's measures (coverage, leak, kept-region
 * similarity) spread as they do across real models:
 * - `keeps`: edits inside the mask only; every pixel outside it comes back exactly as it was.
 * - `leaks`: edits inside the mask, bleeds the edit into a band around its edge (half strength), and
 *   shifts the rest of the picture by a faint pattern, as models that regenerate the whole picture do.
 * - `ignores`: edits the whole picture, as models without mask support do.
 */
export type MaskAdherence = 'keeps' | 'leaks' | 'ignores';

/** Models whose behaviour is named; any other model `keeps`. Ids without their vendor prefix. */
const NAMED_ADHERENCE: Readonly<Record<string, MaskAdherence>> = {
  'qwen-image-edit': 'keeps',
  'gpt-image-1': 'keeps',
  'gpt-image-1.5': 'keeps',
  'gpt-image-1-mini': 'keeps',
  'gpt-image-2': 'leaks',
  'nano-banana-2-edit': 'leaks',
  'flux-kontext-dev': 'ignores',
  'flux-kontext-pro': 'ignores',
  'flux-kontext-max': 'ignores',
  'gemini-2.5-flash-image': 'ignores',
};

/**
 * How `model` treats a mask: the named models' own behaviour, else `keeps`.
 *
 * @example
 * maskAdherenceFor('openai/gpt-image-2'); // 'leaks'
 */
export function maskAdherenceFor(model: string | undefined): MaskAdherence {
  if (model === undefined) return 'keeps';
  return NAMED_ADHERENCE[model.slice(model.lastIndexOf('/') + 1)] ?? 'keeps';
}

/** Where a mask lets the edit through: one byte a canvas pixel, 255 for an edit, 0 to keep. */
export type MaskCoverage = Uint8Array;

/** How much of the edit each canvas pixel gets (0 to 1), and the faint shift of kept pixels. */
export interface EditWeights {
  /** One value a canvas pixel: 1 edits fully, 0 keeps, in between blends. */
  weights: Float32Array;
  /** Added to each channel of a kept pixel, by position; `undefined` keeps kept pixels exact. */
  shift?: (position: { x: number; y: number }) => number;
}

/**
 * The edit weights of a canvas under a mask (read at the canvas's size), for a model's adherence.
 * Without a mask every pixel is edited, whatever the model.
 */
export function editWeights(options: {
  width: number;
  height: number;
  coverage: MaskCoverage | undefined;
  adherence: MaskAdherence;
}): EditWeights {
  const { width, height, coverage, adherence } = options;
  const weights = new Float32Array(width * height);
  if (coverage === undefined || adherence === 'ignores') return { weights: weights.fill(1) };
  for (let index = 0; index < weights.length; index++) weights[index] = coverage[index]! > 0 ? 1 : 0;
  if (adherence === 'keeps') return { weights };
  const radius = Math.max(2, Math.round(Math.max(width, height) * 0.04));
  const band = dilate({ coverage, width, height, radius });
  for (let index = 0; index < weights.length; index++) {
    if (weights[index] === 0 && band[index]! > 0) weights[index] = 0.5;
  }
  return { weights, shift: ({ x, y }) => ((x * 7 + y * 13) % 3) - 1 };
}

/** The mask grown by `radius` pixels in every direction: a box filter, rows then columns. */
function dilate(options: {
  coverage: MaskCoverage;
  width: number;
  height: number;
  radius: number;
}): Uint8Array {
  const { coverage, width, height, radius } = options;
  const spread = (
    source: Uint8Array,
    step: { along: number; across: number; length: number; lines: number },
  ) => {
    const grown = new Uint8Array(source.length);
    for (let line = 0; line < step.lines; line++) {
      for (let position = 0; position < step.length; position++) {
        if (!source[line * step.across + position * step.along]) continue;
        const from = Math.max(0, position - radius);
        const to = Math.min(step.length - 1, position + radius);
        for (let target = from; target <= to; target++) grown[line * step.across + target * step.along] = 1;
      }
    }
    return grown;
  };
  const rows = spread(coverage, { along: 1, across: width, length: width, lines: height });
  return spread(rows, { along: width, across: 1, length: height, lines: width });
}
