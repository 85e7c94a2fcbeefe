/**
 * Loads core's zod schemas on first use. zod is most of what importing Retouch would cost (about 50 ms
 * and 15 MiB on Node), and nothing needs it before the first request is checked, so the schemas are a
 * module of their own, imported here when a call first needs them and shared from then on.
 */
type Schemas = typeof import('../schemas.ts');

let loading: Promise<Schemas> | undefined;
let loaded: Schemas | undefined;

/** The schemas module, imported once; after that, a promise already settled with it. */
export function loadSchemas(): Promise<Schemas> {
  loading ??= import('../schemas.ts').then((module) => {
    loaded = module;
    return module;
  });
  return loading;
}

/** The schemas module once a call has loaded it, else `undefined`: lets a hot path skip an await. */
export function loadedSchemas(): Schemas | undefined {
  return loaded;
}
