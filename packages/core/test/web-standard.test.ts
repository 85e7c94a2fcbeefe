/**
 * Core and both providers run on any runtime with the web platform's APIs (Node, Bun, Deno, Cloudflare
 * Workers): nothing they import at start-up may need Node. Node built-ins are loaded on first use, for
 * `{ path }` inputs, in core only (`src/node-only.ts`). The cross-runtime scenario (`pnpm test:runtimes`)
 * runs them on each runtime; this test catches a Node-only line before that.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { decodeBase64, encodeBase64 } from '../src/base64.ts';
import { sha256Hex } from '../src/image-input.ts';

const packagesDirectory = fileURLToPath(new URL('../../', import.meta.url));
/** The packages a user imports into an edge function; the simulator and the CLI stay on Node. */
const RUNTIME_NEUTRAL_PACKAGES = ['core', 'provider-oxen', 'provider-edenai'];

function files(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? files(join(directory, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(directory, entry.name)]
        : [],
  );
}

describe.each(RUNTIME_NEUTRAL_PACKAGES)('%s needs nothing from Node at import', (name) => {
  const source = join(packagesDirectory, name, 'src');
  test.each(files(source).map((file) => [file.slice(source.length + 1), file]))('%s', (_name, file) => {
    // Code only: doc comments may show Node usage in their examples.
    const text = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    // Type-only imports vanish at build time; a value import of a Node built-in would load it.
    expect(text).not.toMatch(/^import (?!type )[^;]*from ['"]node:/m);
    expect(text).not.toMatch(/\bBuffer\b/);
    expect(text).not.toMatch(/\bprocess\.\w/);
    expect(text).not.toMatch(/\b(require\(|__dirname|__filename|setImmediate\()/);
    // Node built-ins load on first use through one module, which says what needs them.
    if (!file.endsWith('node-only.ts')) expect(text).not.toMatch(/import\(\s*['"]node:/);
  });
});

describe('base64 on the web platform', () => {
  test('round-trips every byte value, and large inputs', () => {
    const bytes = Uint8Array.from({ length: 200_000 }, (_, index) => (index * 7919) % 256);
    const text = encodeBase64(bytes);
    expect(text).toBe(Buffer.from(bytes).toString('base64'));
    expect(decodeBase64(text)).toEqual(bytes);
  });

  test('decodes the URL-safe alphabet, missing padding and whitespace; refuses other characters', () => {
    expect(decodeBase64('-_8')).toEqual(new Uint8Array([0xfb, 0xff]));
    expect(decodeBase64('aGVs\nbG8')).toEqual(new TextEncoder().encode('hello'));
    expect(() => decodeBase64('not base64!')).toThrow(SyntaxError);
  });
});

describe('sha256Hex', () => {
  test('hashes text as UTF-8 and bytes as they are, like any SHA-256', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(await sha256Hex('abc'));
    expect(await sha256Hex('é')).toBe(createHash('sha256').update('é').digest('hex'));
  });
});
