/**
 * What an app ships for a few lines of code: the lines are bundled by esbuild with their dependencies,
 * minified, split so that every lazily imported chunk is an output of its own, and each output file
 * gzipped (level 9). esbuild's metafile says which packages and files the minified bytes come from.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { readJson } from '../../scripts/lib/workspace.ts';

/** Minified bytes that came from one package or one file. */
export interface BundleShare {
  name: string;
  bytes: number;
}

/** One app bundle, measured. */
export interface BundleSize {
  /** The gzipped sizes of every output file (the entry and its chunks), added up. */
  gzipBytes: number;
  /** The minified sizes of every output file, added up. */
  minifiedBytes: number;
  /** Output files: the entry and the chunks it loads, at once or on first use. */
  files: number;
  /** Minified bytes by package, largest first (the app's own lines are `(entry)`). */
  byPackage: BundleShare[];
  /**
   * Minified bytes by folder, at most two levels into a package (`zod/v4/locales`), largest first: a
   * package's weight is often one part of it, such as translations of its messages.
   */
  byFolder: BundleShare[];
  /** Minified bytes by source file, largest first. */
  byFile: BundleShare[];
}

/** `node_modules/.pnpm/zod@4/node_modules/zod/v4/core/schemas.js` is zod's `v4/core/schemas.js`. */
function packageOfPath(options: { path: string; root: string }): { name: string; file: string } {
  const { path } = options;
  const marker = 'node_modules/';
  const at = path.lastIndexOf(marker);
  if (at !== -1) {
    const parts = path.slice(at + marker.length).split('/');
    const length = parts[0]?.startsWith('@') ? 2 : 1;
    return { name: parts.slice(0, length).join('/'), file: parts.slice(length).join('/') };
  }
  // A workspace package, reached through its symbolic link in node_modules: `packages/<folder>/...`.
  const workspace = /^packages\/([^/]+)\/(.*)$/.exec(path);
  if (workspace) {
    const manifest = readJson<{ name: string }>(
      join(options.root, 'packages', workspace[1]!, 'package.json'),
    );
    return { name: manifest.name, file: workspace[2]! };
  }
  return { name: '(entry)', file: path.slice(path.lastIndexOf('/') + 1) };
}

function shares(options: { metafile: Metafile; root: string }): {
  byPackage: BundleShare[];
  byFolder: BundleShare[];
  byFile: BundleShare[];
} {
  const byPackage = new Map<string, number>();
  const byFolder = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const output of Object.values(options.metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const { name, file } = packageOfPath({ path, root: options.root });
      byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
      const fileName = `${name}/${file}`;
      byFile.set(fileName, (byFile.get(fileName) ?? 0) + input.bytesInOutput);
      const folder = [name, ...file.split('/').slice(0, -1).slice(0, 2)].join('/');
      byFolder.set(folder, (byFolder.get(folder) ?? 0) + input.bytesInOutput);
    }
  }
  const sorted = (map: Map<string, number>) =>
    [...map].map(([name, bytes]) => ({ name, bytes })).sort((left, right) => right.bytes - left.bytes);
  return { byPackage: sorted(byPackage), byFolder: sorted(byFolder), byFile: sorted(byFile) };
}

/**
 * Bundles `source` (an ES module importing packages installed under `root`) for Node, as an app's
 * server code would be, and measures it. The entry is written to a temporary directory, so only what
 * it imports is bundled.
 */
export async function measureBundle(options: {
  source: string;
  root: string;
  /** Packages left out of the bundle: ones the app does not install. */
  external?: string[];
}): Promise<BundleSize> {
  const directory = await mkdtemp(join(tmpdir(), 'retouch-bundle-'));
  try {
    const entry = join(directory, 'app.js');
    await writeFile(entry, options.source);
    const result = await build({
      entryPoints: [entry],
      absWorkingDir: options.root,
      // The entry sits outside the repository: its bare imports resolve from the root's packages.
      nodePaths: [join(options.root, 'node_modules')],
      bundle: true,
      splitting: true,
      minify: true,
      format: 'esm',
      platform: 'node',
      external: options.external ?? [],
      outdir: join(directory, 'out'),
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    const files = result.outputFiles.filter((file) => file.path.endsWith('.js'));
    return {
      gzipBytes: files.reduce((sum, file) => sum + gzipSync(file.contents, { level: 9 }).length, 0),
      minifiedBytes: files.reduce((sum, file) => sum + file.contents.length, 0),
      files: files.length,
      ...shares({ metafile: result.metafile, root: options.root }),
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
