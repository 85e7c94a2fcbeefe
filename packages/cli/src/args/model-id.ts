import { parseModelId } from '@retouch/core';
import { isBundledProvider, PROVIDERS } from '../provider-ids.ts';
import { UsageError } from '../usage-error.ts';
import type { CommandName } from './command-names.ts';

/**
 * Checks a `provider:model` string by core's rule and returns it trimmed, throwing a
 * {@link UsageError} that shows the expected form, or the providers there are.
 *
 * @example
 * checkModelId({ model: 'oxen:qwen-image-edit', command: 'edit' }); // 'oxen:qwen-image-edit'
 */
export function checkModelId(options: {
  model: string;
  /** The command whose `--help` the error points to. */
  command: CommandName;
  /** Accept any provider id: a compare config's providers modules may give it (checked once loaded). */
  otherProviders?: boolean;
}): string {
  const { model, command } = options;
  const parsed = parseModelId(model.trim());
  if (!parsed) {
    throw new UsageError({
      command,
      message: `"${model}" is not a model id; use provider:model, e.g. oxen:qwen-image-edit or edenai:openai/gpt-image-2`,
    });
  }
  if (!options.otherProviders && !isBundledProvider(parsed.provider)) {
    throw new UsageError({
      command,
      message: `unknown provider "${parsed.provider}" in "${model}"; the providers are ${PROVIDERS.join(' and ')}${command === 'compare' ? ', and those a --config file\'s "providers" modules give' : ''}`,
    });
  }
  return model.trim();
}
