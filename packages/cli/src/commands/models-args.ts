import {
  CONNECTION_FLAG_SPECS,
  type ConnectionFlags,
  parseConnectionFlags,
} from '../args/connection-flags.ts';
import type { FlagReader, FlagSpecs } from '../args/flag-reader.ts';
import { PROVIDERS, type ProviderName } from '../provider-ids.ts';

/** `retouch models` options. */
export interface ModelsCommandOptions extends ConnectionFlags {
  provider?: ProviderName;
}

/** The flags of `retouch models`. */
export const MODELS_COMMAND_FLAGS: FlagSpecs = { ...CONNECTION_FLAG_SPECS, provider: { type: 'string' } };

/** Reads `retouch models`'s flags. */
export function parseModelsArgs(flag: FlagReader): ModelsCommandOptions {
  const options: ModelsCommandOptions = parseConnectionFlags(flag);
  const provider = flag.oneOf<ProviderName>('provider', PROVIDERS);
  if (provider) options.provider = provider;
  return options;
}
