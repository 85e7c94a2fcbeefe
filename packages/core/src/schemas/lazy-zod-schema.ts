import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { lazySchema } from '../lazy-schema.ts';

let english = false;

/**
 * {@link lazySchema} for core's schemas, which are `zod/mini` schemas: `zod/mini` comes without
 * messages of its own, so before the first schema is built this gives it zod's English ones, as the
 * full `zod` sets them when it loads, for the issues the schemas do not word themselves.
 */
export function lazyZodSchema<T extends object>(build: () => T): T {
  return lazySchema(() => {
    if (!english) {
      config(en());
      english = true;
    }
    return build();
  });
}
