import { PROVIDERS } from '../provider-ids.ts';
import { UsageError } from '../usage-error.ts';
import type { CommandName } from './command-names.ts';

const MODEL_PATTERN = /^([a-z][a-z0-9-]*):(\S+)$/;

/** Checks a `provider:model` string, throwing a {@link UsageError} that shows the expected form. */
export function checkModelId(
  model: string,
  command: CommandName,
  options: {
    /** Accept any provider id: a compare config's providers modules may give it (checked once loaded). */
    otherProviders?: boolean;
  } = {},
): string {
  const match = MODEL_PATTERN.exec(model.trim());
  if (!match) {
    throw new UsageError({
      command,
      message: `"${model}" is not a model id; use provider:model, e.g. oxen:qwen-image-edit or edenai:openai/gpt-image-2`,
    });
  }
  if (!options.otherProviders && !(PROVIDERS as readonly string[]).includes(match[1]!)) {
    throw new UsageError({
      command,
      message: `unknown provider "${match[1]}" in "${model}"; the providers are ${PROVIDERS.join(' and ')}${command === 'compare' ? ', and those a --config file\'s "providers" modules give' : ''}`,
    });
  }
  return model.trim();
}
