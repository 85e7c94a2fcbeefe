/**
 * Loads core's zod schemas on first use. zod is most of what importing Retouch would cost (about 50 ms
 * and 15 MiB on Node), and nothing needs it before the first request is checked, so the schemas are a
 * module of their own, imported here when a call first needs them and shared from then on.
 */
let loading: Promise<typeof import('../schemas.ts')> | undefined;

/** The schemas module, imported once. */
export function loadSchemas(): Promise<typeof import('../schemas.ts')> {
  loading ??= import('../schemas.ts');
  return loading;
}
