/**
 * Installs the packages the way a user would and uses them: builds the workspace, packs every package
 * the consumer project needs with `pnpm pack`, installs the tarballs with npm into a fresh project in
 * the system's temporary folder (outside the workspace, so nothing resolves to workspace sources),
 * then runs `consumer.mjs` with plain Node, runs the installed `retouch demo`, and type-checks
 * `consumer.ts` with `moduleResolution` `node16` and `bundler`.
 *
 * Usage: pnpm test:consumer [--skip-build] [--keep]
 *   --skip-build  use the existing dist/ folders (CI builds just before)
 *   --keep        leave the temporary project in place and print its path
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import {
  missingBuildOutputs,
  type PackageManifest,
  packPackage,
  publishedPackages,
  type RunResult,
  repositoryNode,
  repositoryRoot,
  run,
  runPnpm,
  seconds,
  type WorkspacePackage,
  workspaceBinary,
} from '../lib/workspace.ts';

const projectTemplate = join(repositoryRoot, 'scripts', 'consumer-test', 'project');
const started = Date.now();

function step(message: string): void {
  console.log(`[${seconds(Date.now() - started)}] ${message}`);
}

function assertSucceeded(options: { what: string; result: RunResult }): void {
  if (options.result.exitCode === 0) return;
  throw new Error(
    `${options.what} failed (exit ${options.result.exitCode}):\n${options.result.stdout}${options.result.stderr}`,
  );
}

/** The packages to pack: the template's @retouch dependencies and everything they depend on. */
function packagesToPack(manifest: PackageManifest): WorkspacePackage[] {
  const byName = new Map(publishedPackages().map((entry) => [entry.manifest.name, entry]));
  const needed = new Map<string, WorkspacePackage>();
  const visit = (name: string): void => {
    if (needed.has(name)) return;
    const workspacePackage = byName.get(name);
    if (!workspacePackage) throw new Error(`${name} is not a published package of this workspace`);
    needed.set(name, workspacePackage);
    for (const dependency of Object.keys(workspacePackage.manifest.dependencies ?? {})) {
      if (byName.has(dependency)) visit(dependency);
    }
  };
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    if (name.startsWith('@retouch/')) visit(name);
  }
  return [...needed.values()];
}

/**
 * An environment for npm without what `pnpm run` exports (npm_config_*, npm_package_*): those would
 * carry the workspace's settings into a project that must behave like a stranger's.
 */
function cleanEnvironment(): Record<string, string | undefined> {
  const environment: Record<string, string | undefined> = {};
  for (const key of Object.keys(process.env)) {
    if (/^npm_(config|package|lifecycle)_/i.test(key) || key === 'npm_execpath' || key === 'INIT_CWD') {
      environment[key] = undefined;
    }
  }
  return environment;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'skip-build': { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } },
  });

  const template = JSON.parse(readFileSync(join(projectTemplate, 'package.json'), 'utf8')) as PackageManifest;
  const packages = packagesToPack(template);

  if (!values['skip-build']) {
    step('building the packages');
    const filters = packages.flatMap((entry) => ['--filter', entry.manifest.name]);
    const build = await runPnpm({ args: ['-r', ...filters, 'build'] });
    assertSucceeded({ what: 'pnpm build', result: build });
  }

  const unbuilt = packages.flatMap((entry) =>
    missingBuildOutputs(entry).map((target) => `${entry.manifest.name}: ${target}`),
  );
  if (unbuilt.length > 0) {
    throw new Error(`the build is missing or incomplete, run \`pnpm build\`:\n  ${unbuilt.join('\n  ')}`);
  }

  const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'retouch-consumer-')));
  if (!relative(repositoryRoot, scratch).startsWith('..')) {
    throw new Error(`the temporary folder ${scratch} is inside the workspace; set TMPDIR elsewhere`);
  }
  let succeeded = false;
  try {
    const tarballs = join(scratch, 'tarballs');
    const app = join(scratch, 'app');
    mkdirSync(tarballs);
    mkdirSync(app);

    step(`packing ${packages.map((entry) => entry.manifest.name).join(', ')}`);
    const packed = new Map<string, string>();
    for (const workspacePackage of packages) {
      const tarball = await packPackage({ workspacePackage, destination: tarballs });
      packed.set(workspacePackage.manifest.name, tarball);
    }

    // Every packed package is a direct dependency, and overrides pin the transitive copies to the
    // same tarballs so npm never looks for an unpublished @retouch version on the registry.
    const dependencies: Record<string, string> = { ...template.dependencies };
    const overrides: Record<string, string> = {};
    for (const [name, tarball] of packed) {
      dependencies[name] = `file:${tarball}`;
      overrides[name] = `$${name}`;
    }
    writeFileSync(
      join(app, 'package.json'),
      `${JSON.stringify({ ...template, dependencies, overrides }, null, 2)}\n`,
    );
    for (const file of readdirSync(projectTemplate)) {
      if (file !== 'package.json') copyFileSync(join(projectTemplate, file), join(app, file));
    }

    step('installing the tarballs with npm in a fresh project');
    const install = await run({
      command: 'npm',
      args: [
        'install',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--loglevel=error',
        '--prefer-offline',
      ],
      cwd: app,
      env: cleanEnvironment(),
      timeoutMs: 300_000,
    });
    assertSucceeded({ what: 'npm install', result: install });

    step('running consumer.mjs with plain Node (ESM)');
    const node = await run({
      command: repositoryNode,
      args: ['consumer.mjs'],
      cwd: app,
      env: { ...cleanEnvironment(), NODE_OPTIONS: undefined },
      timeoutMs: 60_000,
    });
    assertSucceeded({ what: 'node consumer.mjs', result: node });
    console.log(node.stdout.trimEnd().replace(/^/gm, '    '));

    step('running the installed retouch command (demo, against its simulators)');
    const demo = await run({
      command: repositoryNode,
      args: [
        join(app, 'node_modules', '.bin', 'retouch'),
        'demo',
        '--repeat',
        '1',
        '--json',
        '--out',
        'demo',
      ],
      cwd: app,
      env: { ...cleanEnvironment(), NODE_OPTIONS: undefined },
      timeoutMs: 60_000,
    });
    assertSucceeded({ what: 'retouch demo', result: demo });
    const summary = (JSON.parse(demo.stdout) as { summary?: { runs?: number; succeeded?: number } }).summary;
    if (
      !summary?.runs ||
      summary.succeeded !== summary.runs ||
      !existsSync(join(app, 'demo', 'report.html'))
    ) {
      throw new Error(`retouch demo failed an edit or wrote no report:\n${demo.stdout.slice(0, 2000)}`);
    }
    console.log(
      `    retouch demo: ${summary.succeeded} of ${summary.runs} edits succeeded, report.html written`,
    );

    for (const variant of ['node16', 'bundler']) {
      step(`type-checking consumer.ts with moduleResolution ${variant}`);
      const check = await run({
        command: workspaceBinary('tsc'),
        args: ['-p', `tsconfig.${variant}.json`],
        cwd: app,
      });
      assertSucceeded({ what: `tsc (moduleResolution ${variant})`, result: check });
    }
    succeeded = true;
  } finally {
    if (values.keep || !succeeded) {
      console.log(`the consumer project is kept in ${scratch}`);
    } else {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  step('the packed packages install and work outside the workspace');
}

await main();
