import { fileURLToPath } from 'node:url';
import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/*
 * The live checks against the real Oxen.ai and Eden AI APIs: `pnpm test:live`, with OXEN_API_KEY
 * and/or EDENAI_API_KEY set. Not part of `pnpm test` (they spend a little money); without a key a
 * provider's checks are skipped.
 */
const conditions = ['@retouch/source', ...defaultServerConditions];
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@retouch/source'] } },
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.live.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    // One request at a time: the accounts' rate limits, and a readable log.
    fileParallelism: false,
  },
});
