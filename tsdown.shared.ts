import { defineConfig, type UserConfig } from 'tsdown';

/** The one build every published package shares: ESM, declarations, no source maps. */
export function packageConfig(overrides: Partial<UserConfig> = {}): UserConfig {
  return defineConfig({
    entry: ['src/index.ts'],
    format: 'esm',
    platform: 'node',
    target: 'node22',
    dts: true,
    sourcemap: false,
    clean: true,
    ...overrides,
  }) as UserConfig;
}
