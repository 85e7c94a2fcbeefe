/**
 * The guides show the examples' code, never code of their own: a TypeScript block in a guide must
 * follow an `<!-- example: examples/<file>[#region] -->` marker and match that file (or the region
 * between `// #region name` and `// #endregion name`) exactly. The examples run in examples.test.ts,
 * so the guides' code runs too. Relative links must point to files that exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from '../../scripts/lib/workspace.ts';

const GUIDES = [
  'README.md',
  'docs/getting-started.md',
  'docs/providers.md',
  'docs/dispatcher.md',
  'docs/comparing-costs.md',
  'docs/testing-with-the-simulator.md',
  'docs/writing-an-adapter.md',
  'docs/scaling-out.md',
];
const CODE_LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'tsx']);
const MARKER = /^<!-- example: (\S+?)(?:#([\w-]+))? -->$/;
const REGION_LINE = /^\s*\/\/ #(?:end)?region\b/;

interface CodeBlock {
  language: string;
  code: string;
  line: number;
  marker?: { file: string; region?: string };
}

function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  let lastText = '';
  for (let index = 0; index < lines.length; index += 1) {
    const fence = /^(`{3,})(\S*)/.exec(lines[index]!);
    if (!fence) {
      if (lines[index]!.trim() !== '') lastText = lines[index]!.trim();
      continue;
    }
    const start = index;
    const body: string[] = [];
    for (index += 1; index < lines.length && !lines[index]!.startsWith(fence[1]!); index += 1) {
      body.push(lines[index]!);
    }
    const marker = MARKER.exec(lastText);
    blocks.push({
      language: fence[2]!,
      code: body.join('\n'),
      line: start + 1,
      ...(marker ? { marker: { file: marker[1]!, ...(marker[2] ? { region: marker[2] } : {}) } } : {}),
    });
    lastText = '';
  }
  return blocks;
}

function dedent(lines: string[]): string[] {
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)![0].length);
  const common = Math.min(...indents);
  return lines.map((line) => line.slice(common));
}

/** The code a marker stands for: a whole example without its header comment, or one region. */
function exampleCode(marker: { file: string; region?: string }): string {
  const text = readFileSync(join(repositoryRoot, marker.file), 'utf8');
  const lines = text.replace(/\n$/, '').split('\n');
  if (marker.region === undefined) {
    const header = /^\/\*\*[\s\S]*?\*\/\n/.exec(text);
    const start = header ? header[0].split('\n').length - 1 : 0;
    return lines
      .slice(start)
      .filter((line) => !REGION_LINE.test(line))
      .join('\n')
      .trim();
  }
  const begin = lines.findIndex((line) => line.trim() === `// #region ${marker.region}`);
  const end = lines.findIndex((line) => line.trim() === `// #endregion ${marker.region}`);
  if (begin < 0 || end < begin) throw new Error(`${marker.file} has no region "${marker.region}"`);
  return dedent(lines.slice(begin + 1, end).filter((line) => !REGION_LINE.test(line)))
    .join('\n')
    .trim();
}

describe.each(GUIDES)('%s', (guide) => {
  const path = join(repositoryRoot, guide);
  const markdown = readFileSync(path, 'utf8');
  const blocks = codeBlocks(markdown);

  it('shows only code from the examples, exactly as it is there', () => {
    for (const block of blocks) {
      const where = `${guide}:${block.line}`;
      if (!block.marker) {
        expect(
          CODE_LANGUAGES.has(block.language),
          `${where}: a ${block.language} block without an example marker`,
        ).toBe(false);
        continue;
      }
      expect(
        existsSync(join(repositoryRoot, block.marker.file)),
        `${where}: ${block.marker.file} is missing`,
      ).toBe(true);
      expect(block.code.trim(), `${where} differs from ${block.marker.file}`).toBe(exampleCode(block.marker));
    }
  });

  it('links only to files that exist', () => {
    const withoutCode = markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1/gm, '');
    for (const match of withoutCode.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1]!;
      if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
      const file = resolve(dirname(path), target.split('#')[0]!);
      expect(existsSync(file), `${guide} links to ${target}, which does not exist`).toBe(true);
    }
  });
});
