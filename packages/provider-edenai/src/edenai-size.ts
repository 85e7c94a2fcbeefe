import type { EditOptionName, NormalizedEditRequest } from '@retouch/core';
import type { EdenAIModelFamily } from './edenai-models.ts';

/*
 * How a request's `size` and `aspectRatio` travel to one Eden model family: as a ratio in `size`
 * (Vertex Imagen), as the upstream's own `aspect_ratio`, or as one of the pixel sizes the family
 * lists, each change a warning naming the option.
 */

/**
 * Sets `size` (and `aspect_ratio`) in `fields` for the family's rule, calling `unsupported` or
 * `adjusted` for each option dropped or changed on the way.
 */
export function mapSizeAndAspectRatio(options: {
  request: NormalizedEditRequest;
  family: EdenAIModelFamily;
  fields: Record<string, unknown>;
  unsupported: (option: EditOptionName, message: string) => void;
  adjusted: (option: EditOptionName, from: unknown, to: unknown, message: string) => void;
}): void {
  const { request, family, fields, unsupported, adjusted } = options;
  const model = request.modelId;
  const { size, aspectRatio } = request;
  const carrier = family.aspectRatio;

  if (carrier === 'aspect_ratio') {
    if (size !== undefined) fields.size = size;
    if (aspectRatio !== undefined) fields.aspect_ratio = aspectRatio;
    return;
  }

  if (carrier === 'size') {
    // Aspect-ratio strings travel in `size` (Eden: "Vertex Imagen accepts square or aspect-ratio strings").
    const ratios = family.capabilities?.aspectRatios ?? [];
    if (aspectRatio !== undefined) {
      const chosen = ratios.includes(aspectRatio) ? aspectRatio : closestRatio(aspectRatio, ratios);
      if (chosen !== aspectRatio) {
        adjusted(
          'aspectRatio',
          aspectRatio,
          chosen,
          `${model} takes the aspect ratios ${ratios.join(', ')}; ${chosen}, the closest to ${aspectRatio}, was sent`,
        );
      }
      fields.size = chosen;
      if (size !== undefined && size !== 'auto') {
        unsupported(
          'size',
          `${model} takes an aspect ratio, not pixel dimensions; size was dropped for aspectRatio`,
        );
      }
    } else if (size !== undefined && size !== 'auto') {
      const chosen = closestRatio(size, ratios);
      adjusted(
        'size',
        size,
        chosen,
        `${model} takes an aspect ratio, not pixel dimensions; size "${chosen}" was sent for ${size}`,
      );
      fields.size = chosen;
    }
    return;
  }

  const sizes = family.capabilities?.sizes ?? [];
  if (size !== undefined) {
    // A family that lists no sizes (Gemini) gets the size as given: the upstream model decides.
    const chosen =
      size === 'auto' || sizes.length === 0 || sizes.includes(size) ? size : closestSize(size, sizes);
    if (chosen !== size) {
      adjusted(
        'size',
        size,
        chosen,
        `${model} takes the sizes ${sizes.join(', ')}; ${chosen}, the closest to ${size}, was sent`,
      );
    }
    fields.size = chosen;
    if (aspectRatio !== undefined) {
      unsupported(
        'aspectRatio',
        `${model} takes a size, not an aspect ratio, and size is set; aspectRatio was dropped`,
      );
    }
  } else if (aspectRatio !== undefined) {
    // Where Eden documents no field for the ratio, the size sent for it may be ignored: say so.
    const undocumented = carrier.documented
      ? ''
      : `; Eden documents no aspect-ratio field for ${model} edits (only Vertex Imagen takes ratios in size), so Eden may not honour the size and the image may come back in the model's default shape`;
    const mapped = carrier.sizes[aspectRatio];
    if (mapped) {
      fields.size = mapped;
      if (!carrier.documented) {
        adjusted(
          'aspectRatio',
          aspectRatio,
          mapped,
          `aspectRatio ${aspectRatio} was sent as size "${mapped}", Google's pixel size for that ratio${undocumented}; set size yourself to choose it`,
        );
      }
    } else {
      const nearest = closestRatio(aspectRatio, Object.keys(carrier.sizes));
      const chosen = carrier.sizes[nearest]!;
      adjusted(
        'aspectRatio',
        aspectRatio,
        nearest,
        `${model} takes the aspect ratios ${Object.keys(carrier.sizes).join(', ')} (as sizes); size ${chosen} (${nearest}), the closest to ${aspectRatio}, was sent${undocumented}`,
      );
      fields.size = chosen;
    }
  }
}

/** `1536x1024` or `3:2` → 1.5. */
function ratioOf(value: string): number {
  const [width, height] = value.split(/[x:]/).map(Number);
  return width! / height!;
}

function closestRatio(target: string, candidates: readonly string[]): string {
  const wanted = Math.log(ratioOf(target));
  let best = candidates[0]!;
  for (const candidate of candidates) {
    if (Math.abs(Math.log(ratioOf(candidate)) - wanted) < Math.abs(Math.log(ratioOf(best)) - wanted))
      best = candidate;
  }
  return best;
}

function closestSize(target: string, candidates: readonly string[]): string {
  const pixels = candidates.filter((candidate) => candidate !== 'auto');
  const [width, height] = target.split('x').map(Number);
  const area = width! * height!;
  const distance = (candidate: string) => {
    const [w, h] = candidate.split('x').map(Number);
    return (
      Math.abs(Math.log(ratioOf(candidate) / ratioOf(target))) * 10 + Math.abs(Math.log((w! * h!) / area))
    );
  };
  return pixels.reduce(
    (best, candidate) => (distance(candidate) < distance(best) ? candidate : best),
    pixels[0]!,
  );
}
