import type { SharedV3Warning, SharedV4Warning } from '@ai-sdk/provider';
import type { EditOptionName, EditWarning, EditWarningOption } from '@retouch/core';

/** The AI SDK call options that are Retouch's neutral options under another name, or the same one. */
const neutralName: Readonly<Record<string, EditOptionName>> = {
  n: 'n',
  size: 'size',
  aspectRatio: 'aspectRatio',
  seed: 'seed',
  mask: 'mask',
  files: 'images',
  images: 'images',
  quality: 'quality',
  outputFormat: 'outputFormat',
  negativePrompt: 'negativePrompt',
};

/**
 * The Retouch option an AI SDK warning's `feature` is about: a neutral option, or the provider option
 * it names (`providerOptions.<id>.<key>`) when the request set that key; `undefined` otherwise.
 */
function optionFor(options: {
  feature: string;
  id: string;
  providerOptions: Readonly<Record<string, unknown>>;
}): EditWarningOption | undefined {
  const { feature, id } = options;
  const neutral = neutralName[feature];
  if (neutral !== undefined) return neutral;
  // Providers name their own options either bare or as `providerOptions.<aiSdkProvider>.<key>`.
  const key = feature.split('.').at(-1)!;
  if (Object.hasOwn(options.providerOptions, key)) return `providerOptions.${id}.${key}`;
  return undefined;
}

/**
 * Turns the wrapped model's warnings into Retouch's: an unsupported feature that is a Retouch option
 * becomes `unsupported-option` naming it, a compatibility mode `adjusted-option` (the AI SDK does not say
 * to what, so `to` is unknown), anything else `other`.
 *
 * @example
 * toEditWarnings({ warnings: [{ type: 'unsupported', feature: 'seed' }], id: 'openai', providerOptions: {} });
 * // [{ type: 'unsupported-option', option: 'seed', message: 'openai: seed is not supported by the model; it was not used' }]
 */
export function toEditWarnings(options: {
  warnings: readonly (SharedV4Warning | SharedV3Warning)[];
  id: string;
  providerOptions: Readonly<Record<string, unknown>>;
}): EditWarning[] {
  const { id } = options;
  return options.warnings.map((warning): EditWarning => {
    switch (warning.type) {
      case 'unsupported':
      case 'compatibility': {
        const option = optionFor({ feature: warning.feature, id, providerOptions: options.providerOptions });
        const details = warning.details ? `: ${warning.details}` : '';
        if (warning.type === 'unsupported') {
          const message = `${id}: ${warning.feature} is not supported by the model; it was not used${details}`;
          return option === undefined
            ? { type: 'other', message }
            : { type: 'unsupported-option', option, message };
        }
        const message = `${id}: ${warning.feature} was used in a compatibility mode${details}`;
        return option === undefined
          ? { type: 'other', message }
          : { type: 'adjusted-option', option, from: undefined, to: undefined, message };
      }
      case 'deprecated':
        return { type: 'other', message: `${id}: ${warning.setting} is deprecated: ${warning.message}` };
      default:
        return { type: 'other', message: `${id}: ${warning.message}` };
    }
  });
}

/** The AI SDK feature name of a Retouch option: the call option it maps to, else its own name. */
function featureName(option: EditWarningOption): string {
  return option === 'images' ? 'files' : option;
}

/**
 * Turns Retouch's warnings into the AI SDK's: `unsupported-option` becomes `unsupported`, `adjusted-option`
 * `compatibility` (the message says from what to what), `other` stays `other`.
 *
 * @example
 * toAISDKWarnings([{ type: 'unsupported-option', option: 'seed', message: 'qwen-image-edit has no seed' }]);
 * // [{ type: 'unsupported', feature: 'seed', details: 'qwen-image-edit has no seed' }]
 */
export function toAISDKWarnings(warnings: readonly EditWarning[]): SharedV4Warning[] {
  return warnings.map((warning): SharedV4Warning => {
    if (warning.type === 'unsupported-option') {
      return { type: 'unsupported', feature: featureName(warning.option), details: warning.message };
    }
    if (warning.type === 'adjusted-option') {
      return { type: 'compatibility', feature: featureName(warning.option), details: warning.message };
    }
    return { type: 'other', message: warning.message };
  });
}
