import { defineConfig, type UserConfig } from 'tsdown';

/**
 * The one build every published package shares: ESM, declarations, no source maps. The packages are
 * `"type": "module"`, so plain `.js`/`.d.ts` names are ESM and match the `exports` maps.
 */
export function packageConfig(overrides: Partial<UserConfig> = {}): UserConfig {
  return defineConfig({
    entry: ['src/index.ts'],
    format: 'esm',
    platform: 'node',
    target: 'node22',
    fixedExtension: false,
    dts: true,
    sourcemap: false,
    clean: true,
    ...overrides,
  }) as UserConfig;
}
