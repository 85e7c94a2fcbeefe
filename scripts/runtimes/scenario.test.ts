/**
 * The cross-runtime scenario on Node, inside `pnpm test`: the same client steps and wire checks that
 * `pnpm test:runtimes` runs on Bun, Deno and workerd, so a change that breaks a step fails here first.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type ScenarioServers, startScenarioServers } from './harness.ts';
import { runScenario, SCENARIO_STEPS } from './scenario.ts';

let servers: ScenarioServers;
beforeAll(async () => {
  servers = await startScenarioServers();
});
afterAll(() => servers.close());

test('every step of the cross-runtime scenario passes on Node, and the wire shows each one', async () => {
  servers.reset();
  const outcomes = await runScenario(servers.settings);
  expect(outcomes.map((outcome) => outcome.step)).toEqual([...SCENARIO_STEPS]);
  expect(servers.problems(outcomes)).toEqual([]);
});

test('a failed step is reported with what went wrong, and the others still run', async () => {
  servers.reset();
  const outcomes = await runScenario({ ...servers.settings, edenApiKey: 'not-the-key' });
  const eden = outcomes.find((outcome) => outcome.step === 'eden multipart edit');
  expect(eden?.ok).toBe(false);
  expect(eden?.detail).toMatch(/AuthenticationError/);
  expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(SCENARIO_STEPS.length - 1);
  expect(servers.problems(outcomes)).toContain(`eden multipart edit: ${eden?.detail}`);
});
