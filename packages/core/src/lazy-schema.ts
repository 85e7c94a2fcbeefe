/**
 * A schema (or any object) built the first time it is used, not when its module is evaluated.
 *
 * Importing Retouch should cost only what the first call needs: building every zod schema of core and
 * the providers at import took about as long as loading zod itself, for schemas most programs use a
 * few of. The value returned stands for the schema everywhere (`safeParse`, `.shape`, `.optional()`,
 * nesting in another schema, `instanceof z.ZodType`); the first touch builds it, once.
 *
 * @example
 * export const pixelsmithResponseSchema = lazySchema(() => z.object({ url: z.string() }));
 * pixelsmithResponseSchema.parse(body); // built here, on first use
 */
export function lazySchema<T extends object>(build: () => T): T {
  let built: T | undefined;
  const schema = (): T => {
    built ??= build();
    return built;
  };
  return new Proxy({} as T, {
    get: (_target, key) => {
      const target = schema();
      return Reflect.get(target, key, target);
    },
    set: (_target, key, value) => {
      const target = schema();
      return Reflect.set(target, key, value, target);
    },
    has: (_target, key) => Reflect.has(schema(), key),
    ownKeys: () => Reflect.ownKeys(schema()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(schema(), key);
      // A proxy may not report a property as non-configurable that its (empty) target lacks.
      return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
    },
    defineProperty: (_target, key, descriptor) => Reflect.defineProperty(schema(), key, descriptor),
    deleteProperty: (_target, key) => Reflect.deleteProperty(schema(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
  });
}
