import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

/*
 * The whole wiring, end to end: a vitest run of a test whose assertions all pass, whose adapter and
 * simulator agree, but whose traffic departs from Eden's published schema, fails, and says why.
 */
test('a run whose adapter and simulator agree on an off-spec body fails, naming the departure', {
  timeout: 60_000,
}, async () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
  const run = await promisify(execFile)(
    process.execPath,
    [
      vitest,
      'run',
      '--config',
      'contract/fixtures/vitest.config.ts',
      '--reporter',
      'default',
      '--color=false',
    ],
    { cwd: root, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
  ).then(
    ({ stdout, stderr }) => ({ code: 0, output: `${stdout}${stderr}` }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? -1,
      output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
    }),
  );
  expect(run.code).toBe(1);
  expect(run.output).toContain("Traffic departs from the providers' published specs");
  expect(run.output).toContain('POST /v3/images/edits request (Eden AI, Eden AI API V3 3.0.0)');
  expect(run.output).toContain('/user must be string');
  expect(run.output).toMatch(/1 failed/);
});
