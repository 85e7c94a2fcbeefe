/**
 * What a fresh Node process resolves while it runs a piece of code: every module resolution, with the
 * module that asked for it, recorded through Node's synchronous module hooks. The tests that keep zod
 * (and anything else) out of an import's cost read it. The code runs with the `@retouch/source`
 * condition, so packages resolve to their sources; it ends by handing `probe.done(extra)` what else
 * the test should see.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** One module resolution: what was resolved, and which module asked. */
export interface Resolution {
  url: string;
  parentURL: string | undefined;
}

/** The resolutions a probe saw, in order, and what its code passed to `probe.done()`. */
export interface ProbeResult<Extra> {
  resolutions: Resolution[];
  extra: Extra;
}

/**
 * Runs `code` (an ES module body) in a fresh Node process. Inside it, `probe.resolutions` is the list
 * so far (so code can mark a point, e.g. after an import), and `probe.done(extra)` must be its last call.
 */
export async function probeModules<Extra = undefined>(options: {
  code: string;
  cwd: string;
  env?: Record<string, string>;
}): Promise<ProbeResult<Extra>> {
  const prelude = `
    import { registerHooks } from 'node:module';
    const probe = {
      resolutions: [],
      done: (extra) => process.stdout.write(JSON.stringify({ resolutions: probe.resolutions, extra })),
    };
    registerHooks({
      resolve(specifier, context, nextResolve) {
        const resolved = nextResolve(specifier, context);
        probe.resolutions.push({ url: resolved.url, parentURL: context.parentURL });
        return resolved;
      },
    });
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=@retouch/source', '--input-type=module', '-e', prelude + options.code],
    {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 60_000,
    },
  );
  return JSON.parse(stdout) as ProbeResult<Extra>;
}

/** Whether a resolution is a module of zod. */
export const isZod = (resolution: Resolution): boolean => resolution.url.includes('/zod/');
