import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Set once a run has its own temporary directory; every project's global setup then leaves it be. */
const RUN_TMPDIR = 'RETOUCH_TEST_RUN_TMPDIR';
const TEMP_VARIABLES = ['TMPDIR', 'TMP', 'TEMP'] as const;

/**
 * Global setup of the test run: the run gets a temporary directory of its own, which the test workers
 * and the processes they start inherit (`TMPDIR`, `TMP`, `TEMP`). When the run ends, the run fails if
 * a test left a `retouch-*` entry in it, and the directory is removed. A directory per run keeps the
 * check exact while other runs and programs use the system temporary directory at the same time.
 *
 * Every project inherits this global setup; the first call sets the directory up and only that call's
 * teardown checks it.
 */
export default function setup(): (() => void) | undefined {
  if (process.env[RUN_TMPDIR] !== undefined) return undefined;
  const saved = TEMP_VARIABLES.map((name) => [name, process.env[name]] as const);
  const directory = mkdtempSync(join(tmpdir(), 'retouch-test-run-'));
  process.env[RUN_TMPDIR] = directory;
  for (const name of TEMP_VARIABLES) process.env[name] = directory;
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    delete process.env[RUN_TMPDIR];
    const leftovers = readdirSync(directory).filter((entry) => entry.startsWith('retouch-'));
    rmSync(directory, { recursive: true, force: true, maxRetries: 3 });
    if (leftovers.length > 0) {
      throw new Error(
        `tests left ${leftovers.length} temporary entries behind (${leftovers.sort().join(', ')}): ` +
          'remove what a test creates under os.tmpdir() when it finishes',
      );
    }
  };
}
