import type { EditWarning } from '@retouch/core';
import { isLocalImage, type NormalizedImage } from '@retouch/core/provider-utils';

/**
 * What to tell the caller about the mask an Oxen edit sends. Oxen's `mask_url` takes the neutral
 * convention as it is (white = edit, black = keep), so the mask is never converted. But Oxen
 * documents `data:` URIs for `input_image` only, and `mask_url` as "Format: uri": whether a model
 * takes an inline mask is not documented, so a local mask (sent as a `data:` URI) gets a warning.
 *
 * @example
 * oxenMaskWarnings({ mask: { kind: 'url', url: 'https://example.com/mask.png' } }); // []
 */
export function oxenMaskWarnings(options: {
  mask: NormalizedImage | undefined;
  parameter: string | undefined;
}): EditWarning[] {
  const { mask, parameter } = options;
  if (!mask || !parameter || !isLocalImage(mask)) return [];
  return [
    {
      type: 'other',
      message: `mask: sent inline as a data: URI in ${parameter}; Oxen documents data: URIs for input_image only and ${parameter} as a URL, so a model may refuse it or ignore it: pass the mask as a public https URL to be sure it is read`,
    },
  ];
}
