/** The providers the CLI bundles, by the prefix of their model ids. */
export const PROVIDERS = ['oxen', 'edenai'] as const;

/** A provider id the CLI bundles. */
export type ProviderName = (typeof PROVIDERS)[number];

/** Whether `provider` is one of the bundled {@link PROVIDERS}. */
export function isBundledProvider(provider: string): provider is ProviderName {
  return (PROVIDERS as readonly string[]).includes(provider);
}
