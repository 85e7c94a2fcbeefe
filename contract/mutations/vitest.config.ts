import { fileURLToPath } from 'node:url';
import { defaultServerConditions, type Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { applyMutation, editPath } from './apply-mutation.ts';
import { MUTATIONS } from './mutations.ts';

/*
 * The contract's traffic tests (contract/traffic/), run with one mutation of `mutations.ts` applied
 * in memory to the modules they load: no file on disk changes, so runs can go side by side. The
 * mutation is named by RETOUCH_CONTRACT_MUTATION; without it, the code runs as it is.
 */

const id = process.env.RETOUCH_CONTRACT_MUTATION;
const mutation = id ? MUTATIONS.find((candidate) => candidate.id === id) : undefined;
if (id && !mutation) throw new Error(`no mutation "${id}" in contract/mutations/mutations.ts`);

function mutationPlugin(): Plugin {
  const files = new Set(mutation?.edits.map(editPath) ?? []);
  return {
    name: 'retouch-contract-mutation',
    enforce: 'pre',
    transform(code, moduleId) {
      const file = moduleId.split('?')[0]!;
      if (!mutation || !files.has(file)) return undefined;
      return { code: applyMutation(mutation, file, code), map: null };
    },
  };
}

const conditions = ['@retouch/source', ...defaultServerConditions];
export default defineConfig({
  plugins: [mutationPlugin()],
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@retouch/source'] } },
  test: {
    // A cached transform is keyed by the file on disk, which a mutation does not change: no cache.
    fsModuleCache: false,
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['traffic/**/*.test.ts'],
    setupFiles: [fileURLToPath(new URL('../setup.ts', import.meta.url))],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
