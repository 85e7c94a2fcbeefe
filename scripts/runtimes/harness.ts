/**
 * The cross-runtime scenario: the server side, on Node. It starts the two simulators, scripts the one
 * fault the scenario needs, and checks what went over the wire against what the client reported.
 * `run.ts` uses it for each runtime; `scenario.test.ts` for Node inside `pnpm test`.
 */
import {
  createTestImage,
  type EdenAISimulator,
  type OxenSimulator,
  startEdenAISimulator,
  startOxenSimulator,
} from '@retouch/simulator';
import { RETRY_AFTER_SECONDS, SCENARIO_STEPS, type ScenarioSettings, type StepOutcome } from './scenario.ts';

const OXEN_SYNC_EDIT = 'POST /api/ai/images/edit';
const OXEN_ENQUEUE = 'POST /api/ai/queue';
const OXEN_EVENTS = 'GET /api/events';
const EDEN_EDIT = 'POST /v3/images/edits';

/** The simulators of one run, shared by the runtimes one after another. */
export interface ScenarioServers {
  settings: ScenarioSettings;
  /** Forgets the last runtime's requests and scripts the fault of the retry step again. */
  reset(): void;
  /**
   * What is wrong with one runtime's run: a step that failed on the client, or traffic that does not
   * match the steps (a 429 not retried, a body that was not multipart, a refused edit that was sent).
   */
  problems(outcomes: readonly StepOutcome[]): string[];
  close(): Promise<void>;
}

/** Starts both simulators on 127.0.0.1 (free ports). */
export async function startScenarioServers(): Promise<ScenarioServers> {
  const oxen: OxenSimulator = await startOxenSimulator({ jobSchedule: { queuedMs: 0, processingMs: 20 } });
  const eden: EdenAISimulator = await startEdenAISimulator();
  const picture = createTestImage({ width: 24, height: 16, color: ({ x, y }) => [x * 10, y * 15, 128] });
  const settings: ScenarioSettings = {
    oxenURL: oxen.url,
    oxenApiKey: oxen.apiKey,
    edenURL: eden.url,
    edenApiKey: eden.apiKey,
    pngBase64: Buffer.from(picture).toString('base64'),
  };
  const reset = () => {
    oxen.clearRequests();
    eden.clearRequests();
    // The first sync edit is the first step's; the second is the retry step's first attempt.
    oxen.setFaults([
      {
        route: OXEN_SYNC_EDIT,
        kind: 'rate-limit',
        retryAfterSeconds: RETRY_AFTER_SECONDS,
        after: 1,
        times: 1,
      },
    ]);
  };
  reset();
  return {
    settings,
    reset,
    problems: (outcomes) => {
      const problems: string[] = [];
      for (const step of SCENARIO_STEPS) {
        const outcome = outcomes.find((candidate) => candidate.step === step);
        if (!outcome) problems.push(`${step}: did not run`);
        else if (!outcome.ok) problems.push(`${step}: ${outcome.detail}`);
      }
      // A runtime's own extra checks (the Worker's `{ path }` refusal).
      for (const outcome of outcomes) {
        if (!outcome.ok && !(SCENARIO_STEPS as readonly string[]).includes(outcome.step)) {
          problems.push(`${outcome.step}: ${outcome.detail}`);
        }
      }
      const on = (requests: typeof oxen.requests, route: string) =>
        requests.filter((request) => request.route === route);
      // Sync edits: the first step's, then the retry step's 429 and its retry. The budget step sends none.
      const syncStatuses = on(oxen.requests, OXEN_SYNC_EDIT).map((request) => request.status);
      if (syncStatuses.join(',') !== '200,429,200') {
        problems.push(`wire: sync edits answered ${syncStatuses.join(',') || 'none'}, expected 200,429,200`);
      }
      const enqueued = on(oxen.requests, OXEN_ENQUEUE).length;
      if (enqueued !== 1) problems.push(`wire: ${enqueued} jobs enqueued on Oxen, expected 1 (the sse edit)`);
      if (on(oxen.requests, OXEN_EVENTS).length === 0)
        problems.push('wire: the event stream was never opened');
      const edenEdits = on(eden.requests, EDEN_EDIT);
      const contentType = edenEdits[0]?.headers['content-type'] ?? '';
      if (edenEdits.length !== 1 || !contentType.startsWith('multipart/form-data')) {
        problems.push(
          `wire: ${edenEdits.length} Eden edits (${contentType || 'no content type'}), expected 1 multipart`,
        );
      }
      const billable = oxen.billableCount + eden.billableCount;
      if (billable !== 4)
        problems.push(`wire: ${billable} billable requests, expected 4 (none for the refusal)`);
      return problems;
    },
    close: async () => {
      await Promise.all([oxen.close(), eden.close()]);
    },
  };
}
