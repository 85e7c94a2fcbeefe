/**
 * `pnpm test:runtimes [--only node,bun,deno,workerd]`: the cross-runtime scenario. The simulators run
 * here, on Node; the client (`scenario.ts`, importing the built packages) runs on each runtime in
 * turn, from the runtimes' npm packages: Node itself, `bun`, `deno`, and `workerd` (Cloudflare's
 * Workers runtime) with the client bundled by esbuild into a Worker module. Prints one pass/fail line
 * per runtime and exits non-zero when any failed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureBuilt } from '../lib/built-packages.ts';
import { repositoryNode, repositoryRoot, run, workspaceBinary } from '../lib/workspace.ts';
import { startScenarioServers } from './harness.ts';
import type { StepOutcome } from './scenario.ts';

/** Longest one runtime's run may take, start-up and bundling included. */
const RUNTIME_TIMEOUT_MS = 60_000;
/** The Workers compatibility date the Worker declares; workerd accepts dates up to its own release. */
const COMPATIBILITY_DATE = '2026-04-01';

const clientFile = join(repositoryRoot, 'scripts', 'runtimes', 'client.ts');
const workerFile = join(repositoryRoot, 'scripts', 'runtimes', 'worker.ts');

interface Runtime {
  name: string;
  /** Runs the client with these settings; returns what it printed and how it ended. */
  run(settingsJson: string): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  version(): Promise<string>;
}

const firstLine = (text: string) => text.trim().split('\n')[0] ?? '';

const runtimes: Runtime[] = [
  {
    name: 'node',
    // No source condition: the client imports the built packages, as a user's code does.
    run: (settings) =>
      run({ command: repositoryNode, args: [clientFile, settings], timeoutMs: RUNTIME_TIMEOUT_MS }),
    version: async () =>
      `Node ${firstLine((await run({ command: repositoryNode, args: ['--version'] })).stdout)}`,
  },
  {
    name: 'bun',
    run: (settings) =>
      run({ command: workspaceBinary('bun'), args: [clientFile, settings], timeoutMs: RUNTIME_TIMEOUT_MS }),
    version: async () =>
      `Bun ${firstLine((await run({ command: workspaceBinary('bun'), args: ['--version'] })).stdout)}`,
  },
  {
    name: 'deno',
    // Network to the simulators only, and nothing else: no file, environment or subprocess access.
    run: (settings) =>
      run({
        command: workspaceBinary('deno'),
        args: ['run', '--no-lock', '--no-prompt', '--allow-net=127.0.0.1', clientFile, settings],
        env: { NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
        timeoutMs: RUNTIME_TIMEOUT_MS,
      }),
    version: async () =>
      firstLine((await run({ command: workspaceBinary('deno'), args: ['--version'] })).stdout),
  },
  {
    name: 'workerd',
    run: async (settings) => {
      const directory = await mkdtemp(join(tmpdir(), 'retouch-workerd-'));
      try {
        const bundled = await run({
          command: workspaceBinary('esbuild'),
          args: [
            workerFile,
            '--bundle',
            '--format=esm',
            '--platform=neutral',
            // What Wrangler resolves for a Worker; the packages' `import` entries are the built ones.
            '--conditions=workerd,worker,browser',
            '--main-fields=module,main',
            '--target=es2022',
            '--log-level=warning',
            `--outfile=${join(directory, 'worker.js')}`,
          ],
          timeoutMs: RUNTIME_TIMEOUT_MS,
        });
        if (bundled.exitCode !== 0) return { ...bundled, stderr: `esbuild failed:\n${bundled.stderr}` };
        await writeFile(join(directory, 'config.capnp'), workerdConfig(settings));
        return await run({
          command: workspaceBinary('workerd'),
          args: ['test', join(directory, 'config.capnp')],
          timeoutMs: RUNTIME_TIMEOUT_MS,
        });
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    },
    version: async () =>
      firstLine((await run({ command: workspaceBinary('workerd'), args: ['--version'] })).stdout),
  },
];

/**
 * A workerd configuration with one Worker and no Node compatibility flag: the Worker gets the
 * settings as a text binding, and its `fetch` may reach loopback addresses only (the simulators).
 */
function workerdConfig(settingsJson: string): string {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "scenario", worker = .worker),
    (name = "loopback", network = (allow = ["local"])),
  ],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  bindings = [(name = "SCENARIO", text = ${JSON.stringify(settingsJson)})],
  globalOutbound = "loopback",
);
`;
}

/** The client's `RESULT <json>` line, or `undefined` when it printed none. */
function parseOutcomes(stdout: string): StepOutcome[] | undefined {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith('RESULT '));
  return line === undefined ? undefined : (JSON.parse(line.slice('RESULT '.length)) as StepOutcome[]);
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { only: { type: 'string' } }, strict: true });
  const only = values.only?.split(',').map((name) => name.trim());
  for (const name of only ?? []) {
    if (!runtimes.some((runtime) => runtime.name === name)) {
      throw new Error(`--only: unknown runtime "${name}"; known: ${runtimes.map((r) => r.name).join(', ')}`);
    }
  }
  const log = (message: string) => process.stderr.write(`  ${message}\n`);
  ensureBuilt({ folders: ['core', 'provider-oxen', 'provider-edenai'], log });
  const servers = await startScenarioServers();
  const settings = JSON.stringify(servers.settings);
  let passed = 0;
  let failed = 0;
  try {
    for (const runtime of runtimes) {
      if (only !== undefined && !only.includes(runtime.name)) continue;
      servers.reset();
      const started = performance.now();
      const [version, result] = await Promise.all([
        runtime.version().catch(() => '?'),
        runtime.run(settings),
      ]);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const outcomes = parseOutcomes(result.stdout);
      const problems =
        outcomes === undefined
          ? [`the client reported no result (exit code ${result.exitCode})`]
          : servers.problems(outcomes);
      if (problems.length === 0 && result.exitCode !== 0) problems.push(`exit code ${result.exitCode}`);
      if (problems.length === 0) {
        passed++;
        console.log(`runtimes: ${runtime.name} pass (${version}): ${outcomes!.length} steps in ${seconds} s`);
        for (const outcome of outcomes!) log(`${outcome.step}: ${outcome.detail} (${outcome.ms} ms)`);
      } else {
        failed++;
        console.log(`runtimes: ${runtime.name} FAIL (${version}) in ${seconds} s: ${problems.join('; ')}`);
        const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-40).join('\n');
        if (output !== '')
          process.stderr.write(`--- ${runtime.name} output (last 40 lines) ---\n${output}\n`);
      }
    }
  } finally {
    await servers.close();
  }
  console.log(`runtimes: ${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
}
