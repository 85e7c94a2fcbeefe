/**
 * The scenario's entry on workerd (Cloudflare Workers), bundled by esbuild into one module. workerd
 * runs its `test` handler (`workerd test`); the settings come as a text binding, as a deployed Worker
 * gets its configuration.
 */
import { createRetouch, RetouchError } from '@retouch/core';
import { createOxen } from '@retouch/provider-oxen';
import { runScenario, type ScenarioSettings, type StepOutcome } from './scenario.ts';

export default {
  async test(_controller: unknown, environment: { SCENARIO: string }): Promise<void> {
    const settings = JSON.parse(environment.SCENARIO) as ScenarioSettings;
    const outcomes = await runScenario(settings);
    outcomes.push(await pathInputRefused(settings));
    console.log(`RESULT ${JSON.stringify(outcomes)}`);
  },
};

/** A Worker has no file system: a `{ path }` input must fail with an error that says so, before sending. */
async function pathInputRefused(settings: ScenarioSettings): Promise<StepOutcome> {
  const step = 'path input without a file system';
  const started = Date.now();
  const retouch = createRetouch({
    providers: [createOxen({ apiKey: settings.oxenApiKey, baseURL: settings.oxenURL, mode: 'sync' })],
  });
  try {
    await retouch.edit({ model: 'oxen:qwen-image-edit', prompt: 'x', images: [{ path: '/photo.png' }] });
    return { step, ok: false, detail: 'the edit was not refused', ms: Date.now() - started };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const ok = RetouchError.isInstance(error) && message.includes('needs a runtime with');
    return {
      step,
      ok,
      detail: `${ok ? 'refused: ' : 'unexpected error: '}${message}`,
      ms: Date.now() - started,
    };
  } finally {
    await retouch.close();
  }
}
