import { openTelemetryRegistered } from './open-telemetry.ts';
import type { TracedRun } from './trace-context.ts';

/**
 * Runs `run` inside a new span, child of `parent` when given (else of the active span), so the edits it
 * starts join the same trace. Without an OpenTelemetry SDK it only runs `run`.
 *
 * @example
 * await runInTrace({ name: 'retouch.queue.process', kind: 'consumer', parent: data.trace, run: () => work() });
 */
export async function runInTrace<T>(options: TracedRun<T>): Promise<T> {
  if (!openTelemetryRegistered()) return options.run(undefined);
  const { runInSpan } = await import('./traced-span.ts');
  return runInSpan(options);
}
