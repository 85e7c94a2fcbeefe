/** The providers the CLI bundles, by the prefix of their model ids. */
export const PROVIDERS = ['oxen', 'edenai'] as const;

/** A provider id the CLI bundles. */
export type ProviderName = (typeof PROVIDERS)[number];

/** What any provider id may be: core's own pattern, for the ids providers modules and config files name. */
export { PROVIDER_ID } from '@retouch/core';

/** Whether `provider` is one of the bundled {@link PROVIDERS}. */
export function isBundledProvider(provider: string): provider is ProviderName {
  return (PROVIDERS as readonly string[]).includes(provider);
}

/**
 * The provider id of a `provider:model` string already checked (by the flags, a config file or the
 * manifest): a bundled provider, or one a providers module gives.
 */
export function providerOf(model: string): string {
  return model.slice(0, model.indexOf(':'));
}
