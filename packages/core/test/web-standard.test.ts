/**
 * Core runs on any runtime with the web platform's APIs (Node, Bun, Deno, Cloudflare Workers): nothing
 * it imports at start-up may need Node. Node built-ins are loaded on first use, for `{ path }` inputs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { decodeBase64, encodeBase64 } from '../src/base64.ts';

const source = fileURLToPath(new URL('../src', import.meta.url));

function files(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? files(join(directory, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(directory, entry.name)]
        : [],
  );
}

describe('core needs nothing from Node at import', () => {
  test.each(files(source).map((file) => [file.slice(source.length + 1), file]))('%s', (_name, file) => {
    // Code only: doc comments may show Node usage in their examples.
    const text = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    // Type-only imports vanish at build time; a value import of a Node built-in would load it.
    expect(text).not.toMatch(/^import (?!type )[^;]*from ['"]node:/m);
    expect(text).not.toMatch(/\bBuffer\./);
    expect(text).not.toMatch(/\bprocess\.env\b/);
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
