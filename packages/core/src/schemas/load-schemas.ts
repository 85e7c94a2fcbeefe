/**
 * Loads core's zod schemas on first use. zod is most of what importing Retouch would cost (about 50 ms
 * and 15 MiB on Node), and nothing needs it before the first request is checked, so the schemas are a
 * module of their own, imported when a call first needs them and shared from then on.
 */
import { lazyModule } from '../lazy-module.ts';

/** The schemas module, imported once; `loadSchemas.loaded()` has it without an await afterwards. */
export const loadSchemas = lazyModule(() => import('../schemas.ts'), "Retouch's request schemas (zod)");
