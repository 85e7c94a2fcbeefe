import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot, workspaceBinary } from './workspace.ts';

/** The built entry of a workspace package, `packages/<folder>/dist/index.js`. */
export function distEntry(folder: string): string {
  return join(repositoryRoot, 'packages', folder, 'dist', 'index.js');
}

function newestSourceTime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the packages whose `dist` is missing or older than their sources, in the order given (a
 * dependency first), so a script that measures or runs the built code never runs stale code.
 * Returns the folders it built.
 */
export function ensureBuilt(options: {
  folders: readonly string[];
  log: (message: string) => void;
}): string[] {
  const built: string[] = [];
  for (const folder of options.folders) {
    const entry = distEntry(folder);
    const stale =
      !existsSync(entry) ||
      statSync(entry).mtimeMs < newestSourceTime(join(repositoryRoot, 'packages', folder, 'src'));
    if (!stale) continue;
    options.log(`building ${folder} (dist missing or older than src)`);
    const result = spawnSync(workspaceBinary('tsdown'), [], {
      cwd: join(repositoryRoot, 'packages', folder),
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      timeout: 120_000,
    });
    // The build's own report is noise here; it is shown only when the build fails.
    if (result.status !== 0 || !existsSync(entry)) {
      throw new Error(`building ${folder} failed:\n${result.stdout}${result.stderr}`);
    }
    built.push(folder);
  }
  return built;
}
