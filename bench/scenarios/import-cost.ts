/**
 * Import cost: a fresh Node process that imports the built `@retouch/core` and both providers, against a
 * fresh process that imports nothing, timed from spawn to exit (median of many, interleaved). And the
 * size of core's own code: its built `dist/index.js` bundled with its dependencies left external,
 * minified and gzipped.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  checkTarget,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
} from '../support/scenario.ts';
import { median, round } from '../support/statistics.ts';

const TARGET_ADDED_MS = 80;
const TARGET_KB = 15;
const KB = 1024;

const root = fileURLToPath(new URL('../../', import.meta.url));
const packages = ['core', 'provider-oxen', 'provider-edenai'] as const;
const distEntry = (name: string) => join(root, 'packages', name, 'dist', 'index.js');

function newestSourceTime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the measured packages when their dist is missing or older than their sources. */
function ensureBuilt(context: ScenarioContext): string[] {
  const built: string[] = [];
  for (const name of packages) {
    const entry = distEntry(name);
    const stale =
      !existsSync(entry) || statSync(entry).mtimeMs < newestSourceTime(join(root, 'packages', name, 'src'));
    if (!stale) continue;
    context.log(`building ${name} (dist missing or older than src)`);
    const result = spawnSync(join(root, 'node_modules', '.bin', 'tsdown'), [], {
      cwd: join(root, 'packages', name),
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      timeout: 120_000,
    });
    // The build's own report is noise here; it is shown only when the build fails.
    if (result.status !== 0 || !existsSync(entry)) {
      throw new Error(`import-cost: building ${name} failed:\n${result.stdout}${result.stderr}`);
    }
    built.push(name);
  }
  return built;
}

/** Runs `node --input-type=module -e <code>` and times it from spawn to exit. */
function timeProcess(code: string): Promise<{ wallMs: number; output: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 30_000,
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      output += text;
    });
    child.once('error', reject);
    child.once('exit', (status) => {
      const wallMs = performance.now() - started;
      if (status !== 0) reject(new Error(`import-cost: a probe process exited with ${status}`));
      else resolve({ wallMs, output });
    });
  });
}

interface Rolldown {
  rolldown(options: {
    input: string;
    external: (id: string) => boolean;
    platform: 'node';
    logLevel: 'silent';
  }): Promise<{
    generate(options: {
      format: 'esm';
      minify: boolean;
    }): Promise<{ output: { type: string; code?: string }[] }>;
    close(): Promise<void>;
  }>;
}

/** The third-party packages the measured packages import, with the package that declares each. */
const dependencies = [
  { specifier: 'zod', from: 'core' },
  { specifier: 'ky', from: 'core' },
  { specifier: 'p-queue', from: 'core' },
  { specifier: 'eventsource-parser', from: 'provider-oxen' },
] as const;

/**
 * The file URLs the dependencies resolve to from their packages, under the `import` condition: one
 * untimed process with `import.meta.resolve(specifier, parent)`, which still needs a flag in Node 24.
 */
function resolveDependencies(): string[] {
  const pairs = dependencies.map(({ specifier, from }) => [
    specifier,
    pathToFileURL(join(root, 'packages', from, 'package.json')).href,
  ]);
  const result = spawnSync(
    process.execPath,
    [
      '--experimental-import-meta-resolve',
      '--no-warnings',
      '--input-type=module',
      '-e',
      `process.stdout.write(JSON.stringify(${JSON.stringify(pairs)}.map(([s, p]) => import.meta.resolve(s, p))))`,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (result.status !== 0) throw new Error(`import-cost: resolving dependencies failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
}

/** Core's own code, minified and gzipped: the bundle of dist/index.js with every bare import external. */
async function coreSize(): Promise<{ minifiedBytes: number; gzipBytes: number; distBytes: number }> {
  // rolldown comes with tsdown (the build tool), so it is resolved from there.
  const fromTsdown = createRequire(join(root, 'node_modules', 'tsdown', 'package.json'));
  const { rolldown } = (await import(pathToFileURL(fromTsdown.resolve('rolldown')).href)) as Rolldown;
  const bundle = await rolldown({
    input: distEntry('core'),
    external: (id) => !id.startsWith('.') && !id.startsWith('/'),
    platform: 'node',
    logLevel: 'silent',
  });
  try {
    const { output } = await bundle.generate({ format: 'esm', minify: true });
    const code = output
      .filter((item) => item.type === 'chunk')
      .map((item) => item.code ?? '')
      .join('\n');
    return {
      minifiedBytes: Buffer.byteLength(code),
      gzipBytes: gzipSync(code, { level: 9 }).length,
      distBytes: statSync(distEntry('core')).size,
    };
  } finally {
    await bundle.close();
  }
}

async function runImportCost(context: ScenarioContext): Promise<ScenarioResult> {
  const runs = context.mode === 'quick' ? 5 : 15;
  const built = ensureBuilt(context);
  const urls = packages.map((name) => pathToFileURL(distEntry(name)).href);
  const importAll =
    'const started = performance.now();' +
    urls.map((url) => `await import(${JSON.stringify(url)});`).join('') +
    'process.stdout.write(String(performance.now() - started));';
  const importNothing = 'process.stdout.write("0");';
  const importDependencies =
    'const started = performance.now();' +
    resolveDependencies()
      .map((url) => `await import(${JSON.stringify(url)});`)
      .join('') +
    'process.stdout.write(String(performance.now() - started));';

  // One of each first, so both arms read their files from the page cache rather than from disk.
  const arms = {
    nothing: { code: importNothing, wallMs: [] as number[], insideMs: [] as number[] },
    retouch: { code: importAll, wallMs: [] as number[], insideMs: [] as number[] },
    dependencies: { code: importDependencies, wallMs: [] as number[], insideMs: [] as number[] },
  };
  for (const arm of Object.values(arms)) await timeProcess(arm.code);
  for (let index = 0; index < runs; index++) {
    // Rotating the order, so no arm always runs right after another.
    const order = Object.values(arms);
    for (let shift = 0; shift < index % order.length; shift++) order.push(order.shift()!);
    for (const arm of order) {
      const { wallMs, output } = await timeProcess(arm.code);
      arm.wallMs.push(wallMs);
      arm.insideMs.push(Number(output));
    }
  }
  const withImports = arms.retouch.wallMs;
  const withoutImports = arms.nothing.wallMs;
  const insideProcess = arms.retouch.insideMs;
  const addedMs = median(withImports) - median(withoutImports);
  const dependenciesAddedMs = median(arms.dependencies.wallMs) - median(withoutImports);
  const size = await coreSize();
  const gzipKb = size.gzipBytes / KB;
  context.log(
    `process with imports ${round(median(withImports), 1)} ms, without ${round(median(withoutImports), 1)} ms (medians of ${runs}); import() inside the process ${round(median(insideProcess), 1)} ms`,
  );
  context.log(
    `of which zod, ky, p-queue and eventsource-parser alone: ${round(dependenciesAddedMs, 1)} ms added (import() inside the process ${round(median(arms.dependencies.insideMs), 1)} ms)`,
  );
  context.log(
    `core dist/index.js ${size.distBytes} B, minified ${size.minifiedBytes} B, minified + gzip ${size.gzipBytes} B`,
  );
  return {
    name: 'import-cost',
    summary: `${round(addedMs, 1)} ms added by importing core + both providers, core ${gzipKb.toFixed(1)} KB minified + gzip`,
    targetText: `<= ${TARGET_ADDED_MS} ms, <= ${TARGET_KB} KB`,
    targets: [
      checkTarget({
        figure: 'added process time (ms, median)',
        value: round(addedMs, 1),
        comparison: '<=',
        threshold: TARGET_ADDED_MS,
      }),
      checkTarget({
        figure: 'core minified + gzip (KB)',
        value: round(gzipKb, 2),
        comparison: '<=',
        threshold: TARGET_KB,
      }),
    ],
    figures: {
      addedMs: round(addedMs, 1),
      processWithImportsMedianMs: round(median(withImports), 1),
      importInsideProcessMedianMs: round(median(insideProcess), 1),
      coreMinifiedBytes: size.minifiedBytes,
      coreGzipBytes: size.gzipBytes,
      coreDistBytes: size.distBytes,
    },
    baselines: {
      processImportingNothingMedianMs: round(median(withoutImports), 1),
      dependenciesOnlyAddedMs: round(dependenciesAddedMs, 1),
      dependenciesOnlyImportInsideProcessMedianMs: round(median(arms.dependencies.insideMs), 1),
    },
    parameters: {
      runsPerArm: runs,
      imported: packages.map((name) => `packages/${name}/dist/index.js`),
      dependencies: dependencies.map(({ specifier }) => specifier),
      sizeMeasured: 'packages/core/dist/index.js bundled by rolldown, dependencies external, minify, gzip -9',
      kilobyte: `${KB} bytes`,
      rebuilt: built,
    },
    notes: [
      "The size counts core's own code only: zod, ky and p-queue are dependencies a user's bundle shares.",
    ],
  };
}

/** Scenario 5: cold import time and core's minified + gzipped size. */
export const importCostScenario: Scenario = { name: 'import-cost', run: runImportCost };
