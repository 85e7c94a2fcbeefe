import { basename, extname, join, resolve } from 'node:path';
import type { OxenProvider } from '@retouch/provider-oxen';
import { createBatchProgress } from '../batch/batch-progress.ts';
import { presentBatch } from '../batch/batch-results.ts';
import { checkBatchManifest } from '../batch/check-batch-manifest.ts';
import type { Manifest } from '../batch/manifest.ts';
import { loadManifest } from '../batch/manifest.ts';
import { runQueuedBatch } from '../batch/queue-batch.ts';
import { quietNotice } from '../batch/quiet-notice.ts';
import type { OxenRecordsReader } from '../batch/reconcile-sends.ts';
import { runBatch } from '../batch/run-batch.ts';
import { type CliContext, wantsColor } from '../context.ts';
import { withPrices } from '../priced-adapters.ts';
import { type ProviderName, providerOf } from '../provider-ids.ts';
import { API_KEY_VARIABLES, hasApiKeys, openProviderSession, type ProviderSession } from '../session.ts';
import { startCliTelemetry } from '../telemetry-setup.ts';
import type { BatchCommandOptions } from './batch-args.ts';

/** Where `batch --simulate` keeps its simulators' jobs, results and bill, in the output directory. */
export const SIMULATOR_STATE_DIRECTORY = '.simulator';

/**
 * `retouch batch <manifest.jsonl>`: checks every line (files, options, models against the
 * catalogues) and sends nothing while one is invalid, unless `--skip-invalid`; then runs the edits
 * here with a journal (or, with `--redis`, enqueues them for `retouch worker`s and follows them),
 * shows progress, and writes the table, `report.html`, `results.json` and `results.csv`. Ctrl-C stops it; the same command
 * finishes the rest.
 */
export async function runBatchCommand(options: BatchCommandOptions, context: CliContext): Promise<number> {
  const loaded = await loadManifest({ path: options.manifest, cwd: context.cwd });
  // The manifest's models were checked to name a bundled provider.
  const providers = [
    ...new Set(loaded.lines.map((line) => providerOf(String(line.request.model)) as ProviderName)),
  ];
  const outDir = resolve(
    context.cwd,
    options.out ?? join('.retouch-out', `batch-${basename(loaded.path, extname(loaded.path))}`),
  );
  // Opened before the check, which reads the catalogues and checks each line's options through the
  // adapters the batch sends with. With --redis the workers send; the options are checked here when
  // this process has the keys.
  const session =
    options.redis && !hasApiKeys({ providers, env: context.env })
      ? undefined
      : await openProviderSession({
          providers,
          simulate: options.simulate,
          env: context.env,
          ...(options.oxenMode ? { oxenMode: options.oxenMode } : {}),
          ...(options.edenaiTransport ? { edenaiTransport: options.edenaiTransport } : {}),
          // Kept beside the journal, so a batch killed mid-run resumes its jobs on the same simulator
          // state, and jobs take long enough to try that.
          simulatorState: join(outDir, SIMULATOR_STATE_DIRECTORY),
          oxenSimulator: { jobSchedule: { queuedMs: 200, processingMs: 1_000 } },
        });
  try {
    const manifest = await checkBatchManifest({
      manifest: loaded,
      shownPath: options.manifest,
      providers,
      skipInvalid: options.skipInvalid,
      simulate: options.simulate,
      context,
      ...(session ? { adapters: session.adapters } : {}),
    });
    if (options.redis) {
      if (!session) {
        context.stderr.write(
          `Options not checked: this process lacks the provider keys the workers hold; export ${providers.map((provider) => API_KEY_VARIABLES[provider]).join(' and ')} here to check each line's options before anything is enqueued\n`,
        );
      }
    }
    return await runCheckedBatch({ options, manifest, outDir, session, context });
  } finally {
    await session?.close();
  }
}

/** Runs a checked manifest: here with the session's adapters, or through Redis with `--redis`. */
async function runCheckedBatch(parameters: {
  options: BatchCommandOptions;
  manifest: Manifest;
  outDir: string;
  session: ProviderSession | undefined;
  context: CliContext;
}): Promise<number> {
  const { options, manifest, outDir, context } = parameters;
  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) {
      // A second Ctrl-C: stop at once, as the process would have without this handler.
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.kill(process.pid, 'SIGINT');
      return;
    }
    context.stderr.write(
      '\nStopping: no new edits start; those in flight finish or are left for the next run (Ctrl-C again to quit now)\n',
    );
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Traces and metrics go to a collector only when the OTEL_EXPORTER_OTLP_* variables name one.
  const telemetry = await startCliTelemetry({ env: context.env, serviceName: 'retouch-batch' });
  try {
    if (options.redis) {
      const progress = createBatchProgress({
        stream: context.stderr,
        total: manifest.lines.length,
        settled: 0,
        interactive: context.stderr.isTTY === true,
        color: wantsColor({ stream: context.stderr, env: context.env }),
      });
      try {
        const outcome = await runQueuedBatch({
          redis: options.redis,
          ...(options.queue ? { queue: options.queue } : {}),
          manifest,
          outDir,
          retryFailed: options.retryFailed,
          resendPossiblyBilled: options.resendPossiblyBilled,
          onProgress: (event) => progress.update(event),
          signal: stop.signal,
        });
        progress.finish();
        return presentBatch({ context, json: options.json, outcome });
      } finally {
        progress.finish();
      }
    }

    // Without --redis the session is always open: only a queued batch may lack keys here.
    const session = parameters.session!;
    const oxen = session.adapters.find((adapter) => adapter.id === 'oxen') as OxenProvider | undefined;
    // The journal says how many lines an earlier run settled; the display counts from there.
    let progress: ReturnType<typeof createBatchProgress> | undefined;
    const quiet = quietNotice({ onProgress: (event) => progress?.update(event) });
    const outcome = await runBatch({
      providers: withPrices({ adapters: session.adapters, prices: options.prices }),
      manifest,
      outDir,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.budgetUsd !== undefined ? { budgetUsd: options.budgetUsd } : {}),
      ...(options.unknownCost ? { unknownCost: options.unknownCost } : {}),
      ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
      retryFailed: options.retryFailed,
      resendPossiblyBilled: options.resendPossiblyBilled,
      simulated: session.simulated,
      modes: session.modes,
      signal: stop.signal,
      ...(oxen ? { readOxenRecords: readRecordsOf(oxen) } : {}),
      onNotice: (message) => context.stderr.write(`${message}\n`),
      onStart: ({ settled }) => {
        progress = createBatchProgress({
          stream: context.stderr,
          total: manifest.lines.length,
          settled,
          interactive: context.stderr.isTTY === true,
          color: wantsColor({ stream: context.stderr, env: context.env }),
        });
      },
      onProgress: quiet.onProgress,
    }).finally(() => {
      quiet.stop();
      progress?.finish();
    });
    return presentBatch({ context, json: options.json, outcome });
  } finally {
    await telemetry?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Oxen's generation history, as the batch reads it to settle lines an earlier run left unanswered. */
function readRecordsOf(oxen: OxenProvider): OxenRecordsReader {
  return async (range) => (await oxen.listBilledGenerations(range)).generations;
}
