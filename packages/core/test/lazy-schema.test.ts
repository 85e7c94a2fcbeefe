import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { lazySchema } from '../src/lazy-schema.ts';

describe('lazySchema', () => {
  test('builds the schema on first use, once, and stands for it everywhere', () => {
    let builds = 0;
    const cost = lazySchema(() => {
      builds++;
      return z.object({ usd: z.number().nonnegative() });
    });
    expect(builds).toBe(0);
    expect(cost.safeParse({ usd: 1 }).success).toBe(true);
    expect(cost.safeParse({ usd: -1 }).success).toBe(false);
    expect(Object.keys(cost.shape)).toEqual(['usd']);
    expect(cost instanceof z.ZodType).toBe(true);
    expect(builds).toBe(1);
  });

  test('nests in other schemas, lazy or not, and derives new ones', () => {
    const inner = lazySchema(() => z.object({ url: z.string() }));
    const outer = lazySchema(() => z.object({ images: z.array(inner), first: inner.optional() }));
    expect(outer.parse({ images: [{ url: 'a' }] })).toEqual({ images: [{ url: 'a' }] });
    expect(outer.safeParse({ images: [{ url: 1 }] }).error?.issues[0]?.path).toEqual(['images', 0, 'url']);
    expect(z.object({ nested: inner }).parse({ nested: { url: 'b' } })).toEqual({ nested: { url: 'b' } });
    expect(inner.extend({ size: z.number() }).parse({ url: 'c', size: 1 })).toEqual({ url: 'c', size: 1 });
    expect(z.toJSONSchema(outer)).toMatchObject({ type: 'object', required: ['images'] });
  });

  test('a schema that fails to build throws where it is first used, and again on the next use', () => {
    const broken = lazySchema<z.ZodString>(() => {
      throw new Error('cannot build');
    });
    expect(() => broken.parse('x')).toThrow('cannot build');
    expect(() => broken.parse('x')).toThrow('cannot build');
  });
});

describe('no schema of core or the providers is built at import', () => {
  const packagesDirectory = fileURLToPath(new URL('../../', import.meta.url));
  const files = (directory: string): string[] =>
    readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? files(join(directory, entry.name))
        : entry.name.endsWith('.ts')
          ? [join(directory, entry.name)]
          : [],
    );
  const sources = ['core', 'provider-oxen', 'provider-edenai'].flatMap((name) =>
    files(join(packagesDirectory, name, 'src')).map((file) => [file.slice(packagesDirectory.length), file]),
  );
  test.each(sources)('%s', (_name, file) => {
    // A module-level `const x = z.…` (or `= otherSchema.…`) runs when the module is evaluated; wrapped
    // in lazySchema(() => …) it runs on first use.
    expect(readFileSync(file, 'utf8')).not.toMatch(
      /^(export )?const \w+(: [^=\n]+)? = (z|\w+Schema)\s*(\.|$)/m,
    );
  });
});
