/**
 * Bundle: everything an app ships to edit images with Retouch (`@retouch/core` and both providers, as
 * published: their built `dist`) against the AI SDK (`generateImage` and `@ai-sdk/openai`), each from a
 * few lines of app code, bundled the same way in the same run: esbuild, minified, split so that every
 * lazily loaded chunk counts, every output file gzipped. The figure is the ratio of the gzipped totals;
 * the packages and files that hold the most minified bytes on each side say what a miss is made of.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../../scripts/lib/built-packages.ts';
import { type BundleShare, type BundleSize, measureBundle } from '../support/bundle-size.ts';
import {
  checkTarget,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
} from '../support/scenario.ts';
import { round } from '../support/statistics.ts';

/** Retouch's bundle, at most this fraction of the AI SDK's (gzipped). */
const TARGET_RATIO = 0.5;
const KB = 1024;
const root = fileURLToPath(new URL('../../', import.meta.url));
const packages = ['core', 'provider-oxen', 'provider-edenai'] as const;

/** An app that edits through Retouch with both providers: what it imports is what it ships. */
const retouchApp = `
import { createRetouch } from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';

const retouch = createRetouch({ providers: [createOxen(), createEdenAI()] });
export const edit = (request) => retouch.edit(request);
`;

/** The same app written with the AI SDK. */
const aiSdkApp = `
import { createOpenAI } from '@ai-sdk/openai';
import { generateImage } from 'ai';

const openai = createOpenAI();
export const edit = ({ model, prompt, images }) =>
  generateImage({ model: openai.image(model), prompt: { text: prompt, images } });
`;

/**
 * The optional peer dependencies of the packages an app imports (such as `@opentelemetry/api`): an app
 * installs them only to use them, with its own SDK, so they are not what the library ships. This
 * repository installs them for its tests, so the bundle leaves them out by name, on both sides alike.
 */
function optionalPeers(packageNames: string[]): string[] {
  const require = createRequire(`${root}package.json`);
  const names = packageNames.flatMap((name) => {
    const manifest = require(`${name}/package.json`) as {
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    return Object.entries(manifest.peerDependenciesMeta ?? {})
      .filter(([, meta]) => meta.optional === true)
      .map(([peer]) => peer);
  });
  return [...new Set(names)].sort();
}

const kilobytes = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`;

/** The minified bytes the metafile attributes to some input: the outputs' size less esbuild's glue. */
function totalInputBytes(size: BundleSize): number {
  return size.byPackage.reduce((sum, share) => sum + share.bytes, 0);
}

function top(options: { list: BundleShare[]; total: number; count: number }): string {
  return options.list
    .slice(0, options.count)
    .map(({ name, bytes }) => `${name} ${kilobytes(bytes)} (${Math.round((bytes / options.total) * 100)}%)`)
    .join(', ');
}

function bundleFigures(size: BundleSize): Record<string, unknown> {
  return {
    gzipBytes: size.gzipBytes,
    minifiedBytes: size.minifiedBytes,
    files: size.files,
    minifiedBytesByPackage: Object.fromEntries(size.byPackage.map(({ name, bytes }) => [name, bytes])),
    largestFolders: size.byFolder.slice(0, 10),
    largestFiles: size.byFile.slice(0, 10),
  };
}

async function runBundle(context: ScenarioContext): Promise<ScenarioResult> {
  const built = ensureBuilt({ folders: packages, log: context.log });
  const retouchExternal = optionalPeers([
    '@retouch/core',
    '@retouch/provider-oxen',
    '@retouch/provider-edenai',
  ]);
  const aiSdkExternal = optionalPeers(['ai', '@ai-sdk/openai']);
  const retouch = await measureBundle({ source: retouchApp, root, external: retouchExternal });
  const aiSdk = await measureBundle({ source: aiSdkApp, root, external: aiSdkExternal });
  const ratio = retouch.gzipBytes / aiSdk.gzipBytes;
  for (const [name, size] of Object.entries({ retouch, 'AI SDK': aiSdk })) {
    const inputBytes = totalInputBytes(size);
    context.log(
      `${name}: ${size.files} files, ${size.minifiedBytes} B minified, ${size.gzipBytes} B minified + gzip`,
    );
    context.log(`  by package: ${top({ list: size.byPackage, total: inputBytes, count: 6 })}`);
    context.log(`  by folder: ${top({ list: size.byFolder, total: inputBytes, count: 6 })}`);
    context.log(`  largest files: ${top({ list: size.byFile, total: inputBytes, count: 5 })}`);
  }
  const target = checkTarget({
    figure: 'app bundle, minified + gzip, ratio Retouch/AI SDK',
    value: round(ratio, 3),
    comparison: '<=',
    threshold: TARGET_RATIO,
  });
  // Where the target is missed, the line says which package holds most of Retouch's bytes, its
  // heaviest folder, and how much of that same package the AI SDK ships.
  const [heaviest] = retouch.byPackage;
  const shareOf = (size: BundleSize, name: string | undefined) =>
    size.byPackage.find((share) => share.name === name)?.bytes ?? 0;
  const heaviestFolder = retouch.byFolder.find((share) => share.name.startsWith(`${heaviest?.name}/`));
  const reason =
    target.met || heaviest === undefined
      ? ''
      : `; missed because ${heaviest.name} is ${Math.round((heaviest.bytes / totalInputBytes(retouch)) * 100)}% of Retouch's minified bytes ` +
        `(${kilobytes(heaviest.bytes)}` +
        (heaviestFolder === undefined
          ? ''
          : `, ${heaviestFolder.name} ${kilobytes(heaviestFolder.bytes)} of it`) +
        `; the AI SDK's bundle has ${kilobytes(shareOf(aiSdk, heaviest.name))} of ${heaviest.name})`;
  if (heaviest !== undefined) {
    const without = (size: BundleSize) => totalInputBytes(size) - shareOf(size, heaviest.name);
    context.log(
      `without ${heaviest.name} (minified): Retouch ${kilobytes(without(retouch))}, AI SDK ${kilobytes(without(aiSdk))} (${(without(retouch) / without(aiSdk)).toFixed(2)}x)`,
    );
  }
  return {
    name: 'bundle',
    summary:
      `Retouch (core + both providers) ${kilobytes(retouch.gzipBytes)} minified + gzip in ${retouch.files} files, ` +
      `${ratio.toFixed(2)}x the AI SDK's ${kilobytes(aiSdk.gzipBytes)} (generateImage + @ai-sdk/openai, ${aiSdk.files} files)` +
      reason,
    targetText: `<= ${TARGET_RATIO.toFixed(2)}x the AI SDK's`,
    targets: [target],
    figures: { ratio: round(ratio, 3), retouch: bundleFigures(retouch) },
    baselines: { aiSdk: bundleFigures(aiSdk) },
    parameters: {
      retouchApp: retouchApp.trim(),
      aiSdkApp: aiSdkApp.trim(),
      bundler:
        'esbuild: bundle, minify, splitting, format esm, platform node; each output gzipped at level 9',
      kilobyte: `${KB} bytes`,
      optionalPeersLeftOut: { retouch: retouchExternal, aiSdk: aiSdkExternal },
      rebuilt: built,
    },
    notes: [
      "Retouch is bundled from its published build (each package's dist); Node's built-in modules stay external on both sides.",
      `Optional peer dependencies, which an app installs only to use them, are left out: Retouch's ${retouchExternal.join(', ') || 'none'}; the AI SDK's ${aiSdkExternal.join(', ') || 'none'}.`,
    ],
  };
}

/** Scenario: the size of an app bundle with Retouch against the same app with the AI SDK. */
export const bundleScenario: Scenario = { name: 'bundle', run: runBundle };
