/**
 * Import cost, against reference arms measured in the same run: fresh Node processes that import the
 * built `@retouch/core` and both providers, the Vercel AI SDK (`ai` + `@ai-sdk/openai`), `replicate`,
 * zod alone (the floor of any zod-based client), or nothing, interleaved, timed from spawn to exit and
 * read for their peak RSS. The figures are what each import adds to the empty process (medians), and
 * Retouch's time as a ratio of the AI SDK's; and, apart, what the first call adds once (core's schemas
 * and zod, loaded on first use). And the size of core's own code: its built `dist/index.js` bundled
 * with its dependencies left external, minified and gzipped, counting what an import loads (the chunks
 * loaded on first use are reported apart), with the share of each part of core from an esbuild bundle
 * of its sources, so a miss says where the bytes are.
 */
import { spawn, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { distEntry, ensureBuilt } from '../../scripts/lib/built-packages.ts';
import {
  checkTarget,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
} from '../support/scenario.ts';
import { median, round } from '../support/statistics.ts';

/** Retouch's added import time, at most this fraction of the AI SDK's. */
const TARGET_TIME_RATIO = 0.5;
/** Peak RSS added by importing Retouch, in MiB. */
const TARGET_RSS_MIB = 15;
const TARGET_KB = 15;
const KB = 1024;
const MIB = 1024 * 1024;

const root = fileURLToPath(new URL('../../', import.meta.url));
const packages = ['core', 'provider-oxen', 'provider-edenai'] as const;

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

interface RolldownChunk {
  type: string;
  fileName: string;
  code?: string;
  isEntry?: boolean;
  imports?: string[];
}

interface Rolldown {
  rolldown(options: {
    input: string;
    external: (id: string) => boolean;
    platform: 'node';
    logLevel: 'silent';
  }): Promise<{
    generate(options: { format: 'esm'; minify: boolean }): Promise<{ output: RolldownChunk[] }>;
    close(): Promise<void>;
  }>;
}

/** The reference arms' packages, resolved from where they are declared (the bench's are the root's). */
const references = {
  aiSdk: [
    { specifier: 'ai', from: root },
    { specifier: '@ai-sdk/openai', from: root },
  ],
  replicate: [{ specifier: 'replicate', from: root }],
  zod: [{ specifier: 'zod', from: join(root, 'packages', 'core') }],
} as const;

/**
 * The file URLs of the reference arms' packages under the `import` condition: one untimed process with
 * `import.meta.resolve(specifier, parent)`, which still needs a flag in Node 24.
 */
function resolveReferences(): Record<keyof typeof references, string[]> {
  const pairs = Object.entries(references).flatMap(([arm, list]) =>
    list.map(({ specifier, from }) => [arm, specifier, pathToFileURL(join(from, 'package.json')).href]),
  );
  const result = spawnSync(
    process.execPath,
    [
      '--experimental-import-meta-resolve',
      '--no-warnings',
      '--input-type=module',
      '-e',
      `process.stdout.write(JSON.stringify(${JSON.stringify(pairs)}.map(([a, s, p]) => [a, import.meta.resolve(s, p)])))`,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (result.status !== 0)
    throw new Error(`import-cost: resolving the reference arms failed: ${result.stderr}`);
  const resolved = { aiSdk: [] as string[], replicate: [] as string[], zod: [] as string[] };
  for (const [arm, url] of JSON.parse(result.stdout) as [keyof typeof resolved, string][])
    resolved[arm].push(url);
  return resolved;
}

/**
 * Core's own code, minified and gzipped: the bundle of dist/index.js with every bare import external.
 * What an import loads is the entry chunk and the chunks it imports statically; the chunks it imports
 * on first use (the zod schemas) are measured apart. The target applies to the whole: a bundle
 * carries both.
 */
async function coreSize(): Promise<{
  minifiedBytes: number;
  gzipBytes: number;
  distBytes: number;
  onFirstUseGzipBytes: number;
}> {
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
    const chunks = new Map(
      output.filter((item) => item.type === 'chunk').map((item) => [item.fileName, item] as const),
    );
    const atImport = new Set<string>();
    const visit = (name: string): void => {
      if (atImport.has(name) || !chunks.has(name)) return;
      atImport.add(name);
      for (const imported of chunks.get(name)!.imports ?? []) visit(imported);
    };
    for (const chunk of chunks.values()) if (chunk.isEntry) visit(chunk.fileName);
    const codeOf = (names: string[]) => names.map((name) => chunks.get(name)!.code ?? '').join('\n');
    const loaded = codeOf([...atImport]);
    const later = codeOf([...chunks.keys()].filter((name) => !atImport.has(name)));
    return {
      minifiedBytes: Buffer.byteLength(loaded),
      gzipBytes: gzipSync(loaded, { level: 9 }).length,
      distBytes: statSync(distEntry('core')).size,
      onFirstUseGzipBytes: later.length === 0 ? 0 : gzipSync(later, { level: 9 }).length,
    };
  } finally {
    await bundle.close();
  }
}

/**
 * Where core's minified bytes are, by part (`dispatcher/`, `http/`, `errors/`, or a top-level file),
 * from an esbuild bundle of its sources with every dependency external: shares, largest first.
 */
async function coreShares(): Promise<{ part: string; share: number }[]> {
  const result = await build({
    entryPoints: [join(root, 'packages', 'core', 'src', 'index.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    packages: 'external',
    splitting: true,
    outdir: join(root, 'node_modules', '.cache', 'import-cost'),
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  // Only the outputs an import loads: the entry and what it imports statically, not on first use.
  const outputs = result.metafile.outputs;
  const atImport = new Set<string>();
  const visit = (name: string): void => {
    if (atImport.has(name) || !outputs[name]) return;
    atImport.add(name);
    for (const imported of outputs[name]!.imports) {
      if (imported.kind === 'import-statement') visit(imported.path);
    }
  };
  for (const [name, output] of Object.entries(outputs)) {
    // esbuild makes each dynamically imported file an entry of its own; only index.ts is imported.
    if (output.entryPoint?.endsWith('src/index.ts')) visit(name);
  }
  const bytes = new Map<string, number>();
  let total = 0;
  for (const output of [...atImport].map((name) => outputs[name]!)) {
    for (const [file, input] of Object.entries(output.inputs)) {
      const relative = file.slice(file.indexOf('src/') + 'src/'.length);
      const part = relative.includes('/') ? `${relative.split('/')[0]}/` : relative.replace(/\.ts$/, '');
      bytes.set(part, (bytes.get(part) ?? 0) + input.bytesInOutput);
      total += input.bytesInOutput;
    }
  }
  return [...bytes]
    .map(([part, count]) => ({ part, share: count / total }))
    .sort((left, right) => right.share - left.share);
}

interface Arm {
  code: string;
  wallMs: number[];
  insideMs: number[];
  peakRssBytes: number[];
}

/** A probe: imports the URLs, then prints the time import() took and the process's peak RSS so far. */
function probe(urls: readonly string[]): string {
  return (
    'const started = performance.now();' +
    urls.map((url) => `await import(${JSON.stringify(url)});`).join('') +
    'process.stdout.write(JSON.stringify({ insideMs: performance.now() - started, maxRssKb: process.resourceUsage().maxRSS }));'
  );
}

async function runImportCost(context: ScenarioContext): Promise<ScenarioResult> {
  const runs = context.mode === 'quick' ? 5 : 15;
  const built = ensureBuilt({ folders: packages, log: context.log });
  const resolved = resolveReferences();
  const arm = (urls: readonly string[]): Arm => ({
    code: probe(urls),
    wallMs: [],
    insideMs: [],
    peakRssBytes: [],
  });
  const arms = {
    nothing: arm([]),
    retouch: arm(packages.map((name) => pathToFileURL(distEntry(name)).href)),
    // What the first call adds: the schemas (and zod) that core and the providers load on first use.
    retouchFirstCall: arm([
      ...packages.map((name) => pathToFileURL(distEntry(name)).href),
      pathToFileURL(join(root, 'packages', 'core', 'dist', 'schemas.js')).href,
    ]),
    aiSdk: arm(resolved.aiSdk),
    replicate: arm(resolved.replicate),
    zod: arm(resolved.zod),
  };
  // One of each first, so every arm reads its files from the page cache rather than from disk.
  for (const each of Object.values(arms)) await timeProcess(each.code);
  for (let index = 0; index < runs; index++) {
    // Rotating the order, so no arm always runs right after another.
    const order = Object.values(arms);
    for (let shift = 0; shift < index % order.length; shift++) order.push(order.shift()!);
    for (const each of order) {
      const { wallMs, output } = await timeProcess(each.code);
      const reported = JSON.parse(output) as { insideMs: number; maxRssKb: number };
      each.wallMs.push(wallMs);
      each.insideMs.push(reported.insideMs);
      each.peakRssBytes.push(reported.maxRssKb * 1024);
    }
  }
  const addedMs = (each: Arm) => median(each.wallMs) - median(arms.nothing.wallMs);
  const addedMiB = (each: Arm) => (median(each.peakRssBytes) - median(arms.nothing.peakRssBytes)) / MIB;
  const retouchMs = addedMs(arms.retouch);
  const aiSdkMs = addedMs(arms.aiSdk);
  const timeRatio = retouchMs / aiSdkMs;
  const retouchMiB = addedMiB(arms.retouch);
  const size = await coreSize();
  const gzipKb = (size.gzipBytes + size.onFirstUseGzipBytes) / KB;
  const shares = await coreShares();

  for (const [name, each] of Object.entries(arms)) {
    context.log(
      `${name.padEnd(9)} process ${round(median(each.wallMs), 1)} ms (added ${round(addedMs(each), 1)} ms), import() inside ${round(median(each.insideMs), 1)} ms, peak RSS ${round(median(each.peakRssBytes) / MIB, 1)} MiB (added ${round(addedMiB(each), 1)} MiB); medians of ${runs}`,
    );
  }
  context.log(
    `core dist/index.js ${size.distBytes} B; loaded at import: minified ${size.minifiedBytes} B, minified + gzip ${size.gzipBytes} B; loaded on first use: ${size.onFirstUseGzipBytes} B minified + gzip; at import by part: ${shares
      .slice(0, 6)
      .map(({ part, share }) => `${part} ${Math.round(share * 100)}%`)
      .join(', ')}`,
  );

  const targets = [
    checkTarget({
      figure: 'added import time, ratio to the AI SDK (median)',
      value: round(timeRatio, 3),
      comparison: '<=',
      threshold: TARGET_TIME_RATIO,
    }),
    checkTarget({
      figure: 'added peak RSS (MiB, median)',
      value: round(retouchMiB, 1),
      comparison: '<=',
      threshold: TARGET_RSS_MIB,
    }),
    checkTarget({
      figure: 'core minified + gzip, at import and on first use (KB)',
      value: round(gzipKb, 2),
      comparison: '<=',
      threshold: TARGET_KB,
    }),
  ];
  // Where a target is missed, the line says what the measurement shows is behind it.
  const reasons: string[] = [];
  const zodMs = addedMs(arms.zod);
  const zodMiB = addedMiB(arms.zod);
  if (!targets[0]!.met) {
    reasons.push(
      `time: zod alone adds ${round(zodMs, 0)} ms (${(zodMs / aiSdkMs).toFixed(2)}x the AI SDK's)`,
    );
  }
  if (!targets[1]!.met) reasons.push(`RSS: zod alone adds ${round(zodMiB, 1)} MiB`);
  if (!targets[2]!.met) {
    const [largest] = shares;
    reasons.push(
      `size: ${largest?.part} is ${Math.round((largest?.share ?? 0) * 100)}% of what core loads at import (${round(((largest?.share ?? 0) * size.gzipBytes) / KB, 1)} KB)`,
    );
  }
  return {
    name: 'import-cost',
    summary:
      `core + both providers add ${round(retouchMs, 0)} ms, ${timeRatio.toFixed(2)}x the AI SDK's ${round(aiSdkMs, 0)} ms ` +
      `(replicate ${round(addedMs(arms.replicate), 0)} ms), peak RSS +${round(retouchMiB, 1)} MiB ` +
      `(AI SDK +${round(addedMiB(arms.aiSdk), 1)}, replicate +${round(addedMiB(arms.replicate), 1)}), ` +
      `core ${gzipKb.toFixed(1)} KB minified + gzip (${(size.gzipBytes / KB).toFixed(1)} KB at import, ${(size.onFirstUseGzipBytes / KB).toFixed(1)} KB on first use); ` +
      `the first call's schemas and zod add ${round(addedMs(arms.retouchFirstCall) - retouchMs, 0)} ms once` +
      (reasons.length > 0 ? `; missed because ${reasons.join('; ')}` : ''),
    targetText: `<= ${TARGET_TIME_RATIO.toFixed(2)}x AI SDK time, <= ${TARGET_RSS_MIB} MiB, <= ${TARGET_KB} KB`,
    targets,
    figures: {
      addedMs: round(retouchMs, 1),
      timeRatioToAiSdk: round(timeRatio, 3),
      addedPeakRssMiB: round(retouchMiB, 1),
      processWithImportsMedianMs: round(median(arms.retouch.wallMs), 1),
      importInsideProcessMedianMs: round(median(arms.retouch.insideMs), 1),
      coreMinifiedBytes: size.minifiedBytes,
      coreGzipBytes: size.gzipBytes,
      coreOnFirstUseGzipBytes: size.onFirstUseGzipBytes,
      firstCallAddedMs: round(addedMs(arms.retouchFirstCall) - retouchMs, 1),
      firstCallAddedPeakRssMiB: round(addedMiB(arms.retouchFirstCall) - retouchMiB, 1),
      coreDistBytes: size.distBytes,
      coreShares: Object.fromEntries(shares.map(({ part, share }) => [part, round(share, 3)])),
    },
    baselines: {
      processImportingNothingMedianMs: round(median(arms.nothing.wallMs), 1),
      processImportingNothingPeakRssMiB: round(median(arms.nothing.peakRssBytes) / MIB, 1),
      aiSdkAddedMs: round(aiSdkMs, 1),
      aiSdkAddedPeakRssMiB: round(addedMiB(arms.aiSdk), 1),
      aiSdkImportInsideProcessMedianMs: round(median(arms.aiSdk.insideMs), 1),
      replicateAddedMs: round(addedMs(arms.replicate), 1),
      replicateAddedPeakRssMiB: round(addedMiB(arms.replicate), 1),
      replicateImportInsideProcessMedianMs: round(median(arms.replicate.insideMs), 1),
      zodAloneAddedMs: round(zodMs, 1),
      zodAloneAddedPeakRssMiB: round(zodMiB, 1),
      zodAloneImportInsideProcessMedianMs: round(median(arms.zod.insideMs), 1),
    },
    parameters: {
      runsPerArm: runs,
      imported: packages.map((name) => `packages/${name}/dist/index.js`),
      references: Object.fromEntries(
        Object.entries(references).map(([name, list]) => [name, list.map(({ specifier }) => specifier)]),
      ),
      sizeMeasured: 'packages/core/dist/index.js bundled by rolldown, dependencies external, minify, gzip -9',
      sharesMeasured: 'packages/core/src bundled by esbuild, dependencies external, minify: bytes per part',
      kilobyte: `${KB} bytes`,
      rebuilt: built,
    },
    notes: [
      "The size counts core's own code only: zod is a dependency a user's bundle shares.",
      "Peak RSS is the child process's own maxRSS at exit (getrusage), the empty process subtracted.",
    ],
  };
}

/** Scenario 5: cold import time and core's minified + gzipped size. */
export const importCostScenario: Scenario = { name: 'import-cost', run: runImportCost };
