/**
 * Checks what each published package would put on npm, after `pnpm build`: the build output the
 * manifest points to exists, the tarball holds only what users need, and publint (strict) and
 * Are the Types Wrong (ESM-only profile) accept the packed tarball.
 *
 * The tarball is made with `pnpm pack` because pnpm applies `publishConfig.exports` (dropping the
 * `@retouch/source` condition) and rewrites `workspace:` ranges at pack time; linting the source
 * directory, or a tarball made by `npm pack`, would check a manifest that is never published.
 *
 * Usage: pnpm check:packages [folder ...]
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import {
  binTargets,
  exportTargets,
  missingBuildOutputs,
  type PackageManifest,
  packPackage,
  publishedPackages,
  run,
  SOURCE_CONDITION,
  seconds,
  type WorkspacePackage,
  workspaceBinary,
} from './lib/workspace.ts';

/** Files every tarball must carry besides its build. */
const REQUIRED_FILES = ['package.json', 'README.md', 'LICENSE'];

/** What must never be published, whatever `files` says. */
const FORBIDDEN = [
  { pattern: /\.map$/, reason: 'source map' },
  { pattern: /\.(test|spec)\.[cm]?[jt]sx?$/, reason: 'test file' },
  { pattern: /\.test-d\.ts$/, reason: 'type test' },
  { pattern: /(^|\/)(test|tests|__tests__)\//, reason: 'test folder' },
  { pattern: /(^|\/)(__fixtures__|fixtures)\//, reason: 'fixture' },
  { pattern: /(^|\/)src\//, reason: 'source file' },
  { pattern: /\.tsbuildinfo$/, reason: 'TypeScript build info' },
  { pattern: /\.tgz$/, reason: 'tarball' },
  { pattern: /(^|\/)\.env/, reason: 'environment file' },
  { pattern: /(^|\/)tsdown\.config\.ts$|(^|\/)tsconfig(\.[^/]*)?\.json$/, reason: 'build configuration' },
];

interface CheckResult {
  name: string;
  problems: string[];
}

function normalize(path: string): string {
  return posix.normalize(path).replace(/^\.\//, '');
}

/** The build must exist before packing: every published export and bin target. */
function checkBuild(workspacePackage: WorkspacePackage): string[] {
  const { directory } = workspacePackage;
  const problems = missingBuildOutputs(workspacePackage).map(
    (target) => `${target} does not exist: run \`pnpm build\` first`,
  );
  for (const file of ['README.md', 'LICENSE']) {
    if (!existsSync(join(directory, file))) problems.push(`${file} is missing from the package folder`);
  }
  return problems;
}

function listFiles(directory: string, prefix = ''): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(join(directory, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

/** What the tarball holds: only the build, the manifest, README, LICENSE and declared assets. */
function checkContents(options: { files: string[]; manifest: PackageManifest; unpacked: string }): string[] {
  const { files, manifest, unpacked } = options;
  const problems: string[] = [];
  const declared = (manifest.files ?? []).map((entry) => normalize(entry).replace(/\/$/, ''));
  for (const file of files) {
    const forbidden = FORBIDDEN.find((rule) => rule.pattern.test(file));
    if (forbidden) problems.push(`tarball contains a ${forbidden.reason}: ${file}`);
    const allowed =
      REQUIRED_FILES.includes(file) ||
      declared.some((entry) => file === entry || file.startsWith(`${entry}/`));
    if (!allowed) problems.push(`tarball contains ${file}, which is neither the build nor a declared file`);
  }
  for (const file of REQUIRED_FILES) {
    if (!files.includes(file)) problems.push(`tarball lacks ${file}`);
  }
  if (!files.some((file) => file.startsWith('dist/'))) problems.push('tarball holds no dist/ build');

  // A sourceMappingURL comment whose map is not shipped points nowhere.
  for (const file of files.filter((name) => /\.[cm]?js$|\.d\.[cm]?ts$/.test(name))) {
    const text = readFileSync(join(unpacked, file), 'utf8');
    const reference = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
    if (reference && !reference.startsWith('data:')) {
      const target = normalize(posix.join(posix.dirname(file), reference));
      if (!files.includes(target))
        problems.push(`${file} points to a source map that is not shipped: ${reference}`);
    }
  }
  return problems;
}

/** The manifest as published: no source condition, no workspace ranges, every target shipped. */
function checkPackedManifest(options: { files: string[]; packed: PackageManifest }): string[] {
  const { files, packed } = options;
  const problems: string[] = [];
  for (const target of exportTargets(packed.exports)) {
    if (target.trail.includes(SOURCE_CONDITION)) {
      problems.push(`published exports keep the "${SOURCE_CONDITION}" condition (${target.path})`);
    } else if (!files.includes(normalize(target.path))) {
      problems.push(
        `exports["${target.trail.join('"]["')}"] points to ${target.path}, which is not in the tarball`,
      );
    }
  }
  for (const target of binTargets(packed)) {
    const path = normalize(target);
    if (!files.includes(path)) problems.push(`bin ${target} is not in the tarball`);
  }
  for (const field of ['dependencies', 'peerDependencies'] as const) {
    for (const [dependency, range] of Object.entries(packed[field] ?? {})) {
      if (range.startsWith('workspace:')) problems.push(`${field}.${dependency} is still "${range}"`);
    }
  }
  return problems;
}

/**
 * Every package the published code imports must be a dependency: otherwise it resolves inside the
 * workspace (hoisted or linked) and fails only for users.
 */
function checkImportedDependencies(options: {
  files: string[];
  packed: PackageManifest;
  unpacked: string;
}): string[] {
  const { files, packed, unpacked } = options;
  const declared = new Set([
    ...Object.keys(packed.dependencies ?? {}),
    ...Object.keys(packed.peerDependencies ?? {}),
  ]);
  // Statements at the start of a line (so an `@example` in a doc comment does not count), and
  // dynamic or type-level import() anywhere.
  const statement = /^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm;
  const dynamic = /\bimport\(\s*["']([^"']+)["']\s*\)/g;
  const problems = new Set<string>();
  for (const file of files.filter((name) => /\.[cm]?js$|\.d\.[cm]?ts$/.test(name))) {
    const text = readFileSync(join(unpacked, file), 'utf8');
    for (const match of [...text.matchAll(statement), ...text.matchAll(dynamic)]) {
      const name = (match[1] ?? match[2])!;
      if (name.startsWith('.') || name.startsWith('/')) continue;
      if (name.startsWith('node:') || builtinModules.includes(name.split('/')[0]!)) continue;
      const packageName = name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]!;
      if (packageName !== packed.name && !declared.has(packageName)) {
        problems.add(`${file} imports "${packageName}", which is not in dependencies or peerDependencies`);
      }
    }
  }
  return [...problems];
}

function checkBinShebangs(options: { packed: PackageManifest; unpacked: string }): string[] {
  return binTargets(options.packed)
    .map(normalize)
    .filter((path) => existsSync(join(options.unpacked, path)))
    .filter((path) => !readFileSync(join(options.unpacked, path), 'utf8').startsWith('#!'))
    .map((path) => `bin ${path} does not start with a #! line`);
}

async function lintTarball(tarball: string): Promise<string[]> {
  const problems: string[] = [];
  const publint = await run({ command: workspaceBinary('publint'), args: ['run', tarball, '--strict'] });
  if (publint.exitCode !== 0) problems.push(`publint --strict failed:\n${publint.stdout}${publint.stderr}`);
  const attw = await run({
    command: workspaceBinary('attw'),
    args: [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color', '--no-emoji'],
  });
  if (attw.exitCode !== 0) problems.push(`attw --profile esm-only failed:\n${attw.stdout}${attw.stderr}`);
  return problems;
}

async function checkPackage(options: {
  workspacePackage: WorkspacePackage;
  scratch: string;
}): Promise<CheckResult> {
  const { workspacePackage, scratch } = options;
  const { name } = workspacePackage.manifest;
  const buildProblems = checkBuild(workspacePackage);
  if (buildProblems.length > 0) return { name, problems: buildProblems };

  const packDirectory = join(scratch, workspacePackage.folder);
  const tarball = await packPackage({ workspacePackage, destination: packDirectory });
  const extract = await run({
    command: 'tar',
    args: ['-xzf', tarball, '-C', packDirectory],
  });
  if (extract.exitCode !== 0) return { name, problems: [`could not unpack ${tarball}: ${extract.stderr}`] };
  // npm tarballs hold everything under package/.
  const root = join(packDirectory, 'package');
  const files = listFiles(root).sort();
  const packed = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageManifest;
  const size = statSync(tarball).size;
  console.log(`  ${files.length} files, ${(size / 1024).toFixed(1)} kB packed: ${files.join(', ')}`);

  return {
    name,
    problems: [
      ...checkContents({ files, manifest: packed, unpacked: root }),
      ...checkPackedManifest({ files, packed }),
      ...checkBinShebangs({ packed, unpacked: root }),
      ...checkImportedDependencies({ files, packed, unpacked: root }),
      ...(await lintTarball(tarball)),
    ],
  };
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const packages = publishedPackages().filter(
    (workspacePackage) => only.length === 0 || only.includes(workspacePackage.folder),
  );
  if (packages.length === 0) throw new Error(`no published package matches ${only.join(', ')}`);
  const scratch = mkdtempSync(join(tmpdir(), 'retouch-check-packages-'));
  const started = Date.now();
  const results: CheckResult[] = [];
  try {
    for (const workspacePackage of packages) {
      console.log(`${workspacePackage.manifest.name}`);
      const result = await checkPackage({ workspacePackage, scratch });
      for (const problem of result.problems) console.log(`  ✗ ${problem.replaceAll('\n', '\n    ')}`);
      if (result.problems.length === 0)
        console.log('  ✓ build, tarball contents, publint --strict, attw (esm-only)');
      results.push(result);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const failed = results.filter((result) => result.problems.length > 0);
  console.log(
    `\n${results.length - failed.length} of ${results.length} packages pass (${seconds(Date.now() - started)})`,
  );
  if (failed.length > 0) {
    console.error(`failing: ${failed.map((result) => result.name).join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
