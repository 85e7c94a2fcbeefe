import { resolve } from 'node:path';
import { formatUsd } from '@retouch/compare';
import { styles } from '../ansi.ts';
import { type CliContext, wantsColor } from '../context.ts';
import { describeError, errorLine } from '../describe-error.ts';
import { withPrices } from '../priced-adapters.ts';
import { doneText, elapsedStamp } from '../progress-text.ts';
import { PROVIDERS, type ProviderName } from '../provider-ids.ts';
import { API_KEY_VARIABLES, openProviderSession } from '../session.ts';
import { startCliTelemetry } from '../telemetry-setup.ts';
import { UsageError } from '../usage-error.ts';
import { loadWorkerConfig, type WorkerConfig } from '../worker-config.ts';
import type { WorkerCommandOptions } from './worker-args.ts';

/** Where a worker's outputs go when neither `--out` nor the config says. */
export const DEFAULT_WORKER_OUT = '.retouch-out/worker';

/**
 * `retouch worker --redis <url>`: serves a `@retouch/queue` queue (the one `retouch batch --redis`
 * fills) until SIGTERM or Ctrl-C, then stops taking jobs and finishes or hands back those in flight.
 */
export async function runWorkerCommand(options: WorkerCommandOptions, context: CliContext): Promise<number> {
  const config: WorkerConfig = options.config
    ? await loadWorkerConfig({ path: options.config, cwd: context.cwd })
    : {};
  const redis = options.redis ?? config.redis;
  if (redis === undefined) {
    throw new UsageError({
      command: 'worker',
      message: '--redis <url> is required (or "redis" in the --config file)',
    });
  }
  const providers: ProviderName[] =
    config.providers ??
    (options.simulate
      ? [...PROVIDERS]
      : PROVIDERS.filter((provider) => (context.env[API_KEY_VARIABLES[provider]] ?? '').trim() !== ''));
  if (providers.length === 0) {
    throw new UsageError({
      command: 'worker',
      message: `no provider to serve: export ${Object.values(API_KEY_VARIABLES).join(' or ')}, or add --simulate to use local simulators`,
    });
  }
  const session = await openProviderSession({
    providers,
    simulate: options.simulate,
    env: context.env,
    ...((options.oxenMode ?? config.oxenMode) ? { oxenMode: (options.oxenMode ?? config.oxenMode)! } : {}),
    ...((options.edenaiTransport ?? config.edenaiTransport)
      ? { edenaiTransport: (options.edenaiTransport ?? config.edenaiTransport)! }
      : {}),
  });
  const style = styles(wantsColor({ stream: context.stderr, env: context.env }));
  const started = performance.now();
  const log = (text: string) =>
    context.stderr.write(`${style.dim(elapsedStamp(performance.now() - started))} ${text}\n`);
  const telemetry = await startCliTelemetry({
    env: context.env,
    metricsPort: options.metricsPort,
    serviceName: 'retouch-worker',
  }).catch(async (error: unknown) => {
    await session.close();
    throw new UsageError({
      command: 'worker',
      message: `--metrics-port ${options.metricsPort}: ${error instanceof Error ? error.message : String(error)}`,
    });
  });
  if (telemetry?.metricsUrl) log(`metrics: ${telemetry.metricsUrl}`);
  if (telemetry?.otlp) log('traces and metrics: exported over OTLP');
  try {
    const { createEditWorker } = await import('@retouch/queue');
    const budgetUsd = options.budgetUsd ?? config.budgetUsd;
    const worker = createEditWorker({
      connection: redis,
      providers: withPrices({ adapters: session.adapters, prices: { ...config.prices, ...options.prices } }),
      ...((options.queue ?? config.queue) ? { name: (options.queue ?? config.queue)! } : {}),
      ...(config.account ? { account: config.account } : {}),
      concurrency: options.concurrency ?? config.concurrency ?? 4,
      output: options.out
        ? resolve(context.cwd, options.out)
        : (config.out ?? resolve(context.cwd, DEFAULT_WORKER_OUT)),
      ...((options.resendPossiblyBilled ?? config.resendPossiblyBilled)
        ? { resendPossiblyBilled: true }
        : {}),
      ...(config.shutdownGraceSeconds !== undefined
        ? { shutdownGraceMs: Math.round(config.shutdownGraceSeconds * 1000) }
        : {}),
      handleSignals: false,
      onError: (error) => log(style.red(`Redis: ${error.message}`)),
      retouch: {
        ...(config.limits ? { limits: config.limits } : {}),
        ...(budgetUsd !== undefined
          ? {
              budget: {
                maxUsd: budgetUsd,
                ...(config.budgetName ? { name: config.budgetName } : {}),
                ...((options.unknownCost ?? config.unknownCost)
                  ? { unknownCost: (options.unknownCost ?? config.unknownCost)! }
                  : {}),
              },
            }
          : {}),
        ...(options.maxRetries !== undefined ? { retry: { maxRetries: options.maxRetries } } : {}),
        onProgress: (event) => {
          if (event.type === 'succeeded') {
            log(
              `${event.model} ${doneText({ latencyMs: event.result.timings.totalMs, costUsd: event.result.cost?.usd })}`,
            );
          } else if (event.type === 'failed') {
            log(`${event.model} ${style.red('failed')}: ${errorLine(describeError(event.error))}`);
          }
        },
      },
    });
    await worker.ready();
    context.stderr.write(
      `retouch worker ${worker.id}: serving ${providers.join(' and ')}${session.simulated ? ' (simulated)' : ''}; SIGTERM or Ctrl-C stops it gracefully\n`,
    );
    let stopping = false;
    let stop!: () => void;
    const stopped = new Promise<void>((resolveStop) => {
      stop = resolveStop;
    });
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        // A second signal: stop now, as the process would have without this handler.
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        process.kill(process.pid, signal);
        return;
      }
      stopping = true;
      stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const onAbort = (): void => onSignal('SIGTERM');
    if (context.signal?.aborted) onAbort();
    else context.signal?.addEventListener('abort', onAbort, { once: true });
    await stopped;
    log('stopping: no new jobs; those in flight finish, or go back to the queue for another worker');
    await worker.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    context.signal?.removeEventListener('abort', onAbort);
    const stats = worker.stats();
    log(
      `stopped: ${stats.completed} completed, ${stats.jobsFailed} failed, ${stats.resumed} resumed, ${stats.handedBack} handed back` +
        ` · spent ${formatUsd(stats.spentUsd)}` +
        (stats.possiblyBilledUsd > 0 ? `, ~${formatUsd(stats.possiblyBilledUsd)} possibly billed` : ''),
    );
    return 0;
  } finally {
    await telemetry?.close();
    await session.close();
  }
}
