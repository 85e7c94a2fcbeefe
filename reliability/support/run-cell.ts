import { createRetouch, type EditResult, type ProgressEvent } from '@retouch/core';
import type { OxenSimulator } from '@retouch/simulator';
import { CELL_DEADLINE_MS, type Cell } from './matrix.ts';
import { hasProviderJobs, setUpPath } from './paths.ts';
import { isPng } from './png.ts';
import { inspect, misdirectedCredentials } from './secrets.ts';

/** What one cell did, as the report shows it. */
export interface CellFigures {
  id: string;
  row: string;
  path: string;
  /** `success`, or the name of the error the edit settled with. */
  outcome: string;
  /** The error's message, for an error. */
  message?: string;
  statusCode?: number;
  /** For a `TimeoutError`: where the time ran out. */
  stage?: string;
  /** For a success: the first `bytes()` of the first image, `ok` or the error's name. */
  download?: string;
  /** For a failed download: a second `bytes()`, which shows the result was not lost. */
  downloadAgain?: string;
  /** Requests the simulator received on the route the faults hit. */
  submissions: number;
  /** Billable submissions the simulator accepted. */
  billable: number;
  /** Calls the dispatcher retried. */
  retries: number;
  /** Milliseconds from the call to its settling. */
  settleMs: number;
  deadlineMs: number;
  /** For provider-job paths: the provider job's final status. */
  providerJob?: string;
  /** Progress events delivered. */
  events: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) return false;
    await sleep(5);
  }
  return true;
}

function describeError(error: unknown): Pick<CellFigures, 'outcome' | 'message' | 'statusCode' | 'stage'> {
  if (!(error instanceof Error)) return { outcome: `non-error ${typeof error}`, message: String(error) };
  const fields = error as Error & { statusCode?: unknown; stage?: unknown };
  return {
    outcome: error.name,
    message: error.message,
    ...(typeof fields.statusCode === 'number' ? { statusCode: fields.statusCode } : {}),
    ...(typeof fields.stage === 'string' ? { stage: fields.stage } : {}),
  };
}

/** `bytes()` of the first image, bounded by the cell's deadline: `ok` or the error's name. */
async function download(result: EditResult, where: string): Promise<string> {
  const image = result.images[0];
  if (!image) return 'no image';
  try {
    const bytes = await image.bytes({ signal: AbortSignal.timeout(CELL_DEADLINE_MS) });
    return isPng(bytes) ? 'ok' : 'not a PNG';
  } catch (error) {
    inspect(`${where}: bytes() error`, error);
    return error instanceof Error ? error.name : String(error);
  }
}

/** The Oxen simulator's jobs, read over HTTP as a user would. */
async function oxenJobs(sim: OxenSimulator): Promise<{ generation_id: string; status: string }[]> {
  const response = await fetch(
    `${sim.url}/api/ai/queue?status=queued,processing,succeeded,failed,cancelled`,
    {
      headers: { authorization: `Bearer ${sim.apiKey}` },
    },
  );
  const body = (await response.json()) as { generations: { generation_id: string; status: string }[] };
  return body.generations;
}

/** Runs one cell against its own simulator and returns its figures. */
export async function runCell(cell: Cell): Promise<CellFigures> {
  const setup = await setUpPath(cell.path, cell.row.options?.(cell.path) ?? {});
  const { sim } = setup;
  sim.setFaults(cell.row.faults(cell.path, setup.routes), { seed: 7 });
  const events: ProgressEvent[] = [];
  const retouch = createRetouch({
    providers: [setup.adapter],
    onProgress: (event) => {
      events.push(event);
      inspect(`${cell.id}: progress event`, event);
    },
  });
  const request = setup.request(CELL_DEADLINE_MS);
  const action = cell.row.action ?? 'edit';
  const started = performance.now();
  let result: EditResult | undefined;
  let failure: unknown;
  try {
    if (action === 'caller-cancels') {
      const controller = new AbortController();
      const editing = retouch.edit({ ...request, signal: controller.signal });
      editing.catch(() => undefined);
      await waitFor(() => sim.billableCount >= 1, CELL_DEADLINE_MS);
      await sleep(20);
      controller.abort();
      result = await editing;
    } else if (action === 'cancel-on-provider') {
      const editing = retouch.edit(request);
      editing.catch(() => undefined);
      await waitFor(() => sim.billableCount >= 1, CELL_DEADLINE_MS);
      await sleep(20);
      for (const job of await oxenJobs(sim as OxenSimulator)) {
        await fetch(`${sim.url}/api/ai/queue/${job.generation_id}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${sim.apiKey}` },
        });
      }
      result = await editing;
    } else {
      result = await retouch.edit(request);
    }
  } catch (error) {
    failure = error;
    inspect(`${cell.id}: edit error`, error);
  }
  const settleMs = Math.round(performance.now() - started);

  const figures: CellFigures = {
    id: cell.id,
    row: cell.row.id,
    path: cell.path,
    ...(result ? { outcome: 'success' } : describeError(failure)),
    submissions: 0,
    billable: 0,
    retries: retouch.stats().retries,
    settleMs,
    deadlineMs: CELL_DEADLINE_MS,
    events: events.length,
  };
  if (result) {
    inspect(`${cell.id}: result`, result);
    inspect(`${cell.id}: result JSON`, JSON.parse(JSON.stringify(result)));
    figures.download = await download(result, cell.id);
    if (figures.download !== 'ok') figures.downloadAgain = await download(result, `${cell.id} (again)`);
  }
  if (hasProviderJobs(cell.path)) {
    // The dispatcher cancels a stopped job in the background: wait for it to land. The wait ends as
    // soon as every job is terminal, so a generous bound costs nothing but absorbs a busy machine.
    let jobs = await oxenJobs(sim as OxenSimulator);
    const terminal = () => jobs.every((job) => ['succeeded', 'failed', 'cancelled'].includes(job.status));
    const until = Date.now() + 5_000;
    while (!terminal() && Date.now() < until) {
      await sleep(25);
      jobs = await oxenJobs(sim as OxenSimulator);
    }
    if (jobs.length > 0) figures.providerJob = jobs.map((job) => job.status).join(',');
  }
  await retouch.close();
  figures.submissions = sim.requests.filter((recorded) => recorded.route === setup.routes.submission).length;
  figures.billable = sim.billableCount;
  misdirectedCredentials(cell.id, sim.requests);
  await setup.close();
  return figures;
}
