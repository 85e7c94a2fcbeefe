import type { NormalizedEditRequest } from '../edit-request.ts';
import type { EditWarning } from '../edit-result.ts';
import { UnsupportedFeatureError } from '../errors/unsupported-feature-error.ts';

/**
 * Strict mode: the first warning about an option (one the model would drop or adjust) refuses the edit,
 * with one message shape for every provider.
 */
export function throwIfStrict(options: {
  request: NormalizedEditRequest;
  warnings: readonly EditWarning[];
}): void {
  const { request } = options;
  const refused = options.warnings.filter(
    (warning): warning is Exclude<EditWarning, { type: 'other' }> => warning.type !== 'other',
  );
  const first = refused[0];
  if (!first) return;
  const more =
    refused.length > 1
      ? ` (and ${refused.length - 1} more: ${refused
          .slice(1)
          .map((warning) => warning.option)
          .join(', ')})`
      : '';
  throw new UnsupportedFeatureError({
    message: `${request.model} cannot honour "${first.option}" exactly: ${first.message}${more}. Strict mode refuses an option the model would drop or adjust: remove "${first.option}", pick a model that takes it, or turn strict off.`,
    provider: request.provider,
    model: request.modelId,
    feature: first.option,
  });
}
