import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file so the scripts run from any working directory. */
export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The repository's own Node (v24): the system `node` may be older than the sources need. */
export const repositoryNode = join(repositoryRoot, 'node_modules', '.bin', 'node');

/** A binary installed in the root `node_modules/.bin`. */
export function workspaceBinary(name: string): string {
  return join(repositoryRoot, 'node_modules', '.bin', name);
}

/** The fields of a package manifest these scripts read. */
export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  files?: string[];
  bin?: string | Record<string, string>;
  exports?: unknown;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  publishConfig?: { exports?: unknown; access?: string };
  packageManager?: string;
}

/** A package of the workspace that is published to npm. */
export interface WorkspacePackage {
  /** Its folder name under `packages/`, e.g. `core`. */
  folder: string;
  /** Its absolute directory. */
  directory: string;
  manifest: PackageManifest;
}

/** Reads a JSON file. */
export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Every package under `packages/` that is not private, in folder order. */
export function publishedPackages(): WorkspacePackage[] {
  const packagesDirectory = join(repositoryRoot, 'packages');
  return readdirSync(packagesDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(packagesDirectory, entry.name, 'package.json')))
    .map((entry) => {
      const directory = join(packagesDirectory, entry.name);
      return {
        folder: entry.name,
        directory,
        manifest: readJson<PackageManifest>(join(directory, 'package.json')),
      };
    })
    .filter((workspacePackage) => workspacePackage.manifest.private !== true)
    .sort((left, right) => left.folder.localeCompare(right.folder));
}

/**
 * The command that runs pnpm: the pnpm running this script when there is one (`pnpm run` sets
 * `npm_execpath`), otherwise the version pinned in the root `packageManager` through npx.
 */
export function pnpmCommand(): { command: string; prefix: string[] } {
  const execPath = process.env.npm_execpath;
  if (execPath && /^pnpm(\.c?js)?$/.test(basename(execPath))) {
    return execPath.endsWith('js')
      ? { command: process.execPath, prefix: [execPath] }
      : { command: execPath, prefix: [] };
  }
  const root = readJson<PackageManifest>(join(repositoryRoot, 'package.json'));
  return { command: 'npx', prefix: ['--yes', root.packageManager ?? 'pnpm@10'] };
}

/** Options of {@link run}. */
export interface RunOptions {
  /** The program to start. */
  command: string;
  /** Its arguments, passed without a shell. */
  args: readonly string[];
  /** Working directory; default the repository root. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string | undefined>;
  /** Print the output as it comes instead of capturing it only. */
  echo?: boolean;
  /** Kill the process after this many milliseconds. */
  timeoutMs?: number;
}

/** What a finished process printed and how it ended. */
export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a process to completion without a shell and captures its output. Never throws on a non-zero exit. */
export function run(options: RunOptions): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd ?? repositoryRoot,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (options.echo) process.stdout.write(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (options.echo) process.stderr.write(chunk);
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            stderr += `\n(killed after ${options.timeoutMs} ms)`;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ exitCode: code ?? (signal ? 1 : 0), stdout, stderr });
    });
  });
}

/** Runs pnpm with the given arguments (see {@link pnpmCommand}). */
export function runPnpm(options: Omit<RunOptions, 'command'>): Promise<RunResult> {
  const { command, prefix } = pnpmCommand();
  return run({ ...options, command, args: [...prefix, ...options.args] });
}

/**
 * Packs one package with pnpm, which applies `publishConfig` and replaces `workspace:` ranges exactly as
 * `pnpm publish` does, and returns the tarball's path.
 */
export async function packPackage(options: {
  workspacePackage: WorkspacePackage;
  destination: string;
}): Promise<string> {
  const { workspacePackage, destination } = options;
  const result = await runPnpm({
    args: ['pack', '--pack-destination', destination],
    cwd: workspacePackage.directory,
    env: { npm_config_ignore_scripts: 'true' },
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `pnpm pack failed for ${workspacePackage.manifest.name}:\n${result.stdout}${result.stderr}`,
    );
  }
  const { name, version } = workspacePackage.manifest;
  const tarball = join(destination, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
  if (!existsSync(tarball)) {
    throw new Error(`pnpm pack did not write ${tarball}:\n${result.stdout}`);
  }
  return tarball;
}

/** The export condition that points at `src/` inside the workspace; never published. */
export const SOURCE_CONDITION = '@retouch/source';

/** Every file path an exports map points to, with the conditions that lead to it. */
export function exportTargets(
  exportsField: unknown,
  trail: string[] = [],
): { path: string; trail: string[] }[] {
  if (typeof exportsField === 'string') return [{ path: exportsField, trail }];
  if (Array.isArray(exportsField)) return exportsField.flatMap((entry) => exportTargets(entry, trail));
  if (exportsField && typeof exportsField === 'object') {
    return Object.entries(exportsField).flatMap(([key, value]) => exportTargets(value, [...trail, key]));
  }
  return [];
}

/** The files of a `bin` field. */
export function binTargets(manifest: PackageManifest): string[] {
  if (!manifest.bin) return [];
  return typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin);
}

/** The published export and bin targets that do not exist yet: empty once `pnpm build` has run. */
export function missingBuildOutputs(workspacePackage: WorkspacePackage): string[] {
  const { manifest, directory } = workspacePackage;
  const published = manifest.publishConfig?.exports ?? manifest.exports;
  const targets = [
    ...exportTargets(published)
      .filter((target) => !target.trail.includes(SOURCE_CONDITION))
      .map((target) => target.path),
    ...binTargets(manifest),
  ];
  return targets.filter((target) => !existsSync(join(directory, target)));
}

/** Formats milliseconds as seconds for progress lines. */
export function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}
