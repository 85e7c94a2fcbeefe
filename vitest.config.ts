import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

const packages = readdirSync(new URL('./packages', import.meta.url));
const conditions = ['@retouch/source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@retouch/source'] } },
  test: {
    // Every simulator exchange of every project is checked against the providers' published specs.
    setupFiles: [fileURLToPath(new URL('./contract/setup.ts', import.meta.url))],
    projects: [
      ...packages.map((name) => ({
        extends: true,
        test: { name, root: `packages/${name}`, include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
      })),
      // The examples, run as a user runs them, and the guides' code checked against them.
      { extends: true, test: { name: 'examples', root: 'examples', include: ['**/*.test.ts'] } },
      // The check of the suite's traffic against the providers' published specs, checked itself.
      { extends: true, test: { name: 'contract', root: 'contract', include: ['**/*.test.ts'] } },
      // Faults, hostile responses, bad inputs and secrets across every package (docs/reliability.md).
      {
        extends: true,
        test: {
          name: 'reliability',
          root: 'reliability',
          include: ['**/*.test.ts'],
          setupFiles: ['./setup.ts'],
        },
      },
    ],
    // The run gets a temporary directory of its own and fails if a test leaves a `retouch-*` entry in it.
    globalSetup: [fileURLToPath(new URL('./vitest.temp-guard.ts', import.meta.url))],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
