/** A provider id, unanchored: lower case, digits and dashes, starting with a letter. */
const PROVIDER_ID_SOURCE = '[a-z][a-z0-9-]*';

/** What a provider id may be: lower case, digits and dashes. */
export const PROVIDER_ID: RegExp = new RegExp(`^${PROVIDER_ID_SOURCE}$`);
/** What a model string may be: `provider:model`. */
export const MODEL_ID: RegExp = new RegExp(`^(${PROVIDER_ID_SOURCE}):(\\S+)$`);

/** Splits `"provider:model"` into its parts, or returns `undefined` if it is not of that form. */
export function parseModelId(model: string):
  | {
      /** The provider id, e.g. `oxen`. */
      provider: string;
      /** The provider's model id, e.g. `qwen-image-edit`. */
      modelId: string;
    }
  | undefined {
  const match = MODEL_ID.exec(model);
  return match ? { provider: match[1]!, modelId: match[2]! } : undefined;
}
