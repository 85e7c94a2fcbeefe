import type { BatchObservableResult, Meter, MeterProvider, Tracer } from '@opentelemetry/api';
import { type EditInstruments, EditObserver } from './edit-observer.ts';
import type { ObservedJob } from './job-observer.ts';
import type { OpenTelemetryApi } from './open-telemetry.ts';
import type { RetouchLogger } from './retouch-logger.ts';
import { ATTRIBUTE, INSTRUMENTATION_SCOPE, METRIC } from './telemetry-names.ts';

/** What the gauges read of the client: its lanes by provider id, and its budget. */
export interface ObservedClient {
  readonly lanes: ReadonlyMap<string, { stats(): { waiting: number; running: number } }>;
  readonly budget: {
    readonly ledger: {
      readonly spentUsd: number;
      readonly possiblyBilledUsd: number;
      readonly reservedUsd: number;
    };
    /** The cap; without one there is no remaining budget to report. */
    readonly maxUsd: number | undefined;
  };
}

/**
 * What a client observes its edits with once anyone listens: its tracer, its meter's instruments and
 * gauges, and an {@link EditObserver} for each edit. Loaded with the first edit that is observed, so an
 * application that neither registers OpenTelemetry nor sets a logger never loads it. The instruments
 * are made again if the application registers another meter provider, since the API hands a meter
 * made before any registration that does nothing.
 */
export class ClientObservers {
  readonly #logger: RetouchLogger | undefined;
  readonly #client: ObservedClient;
  #tracer: Tracer | undefined;
  #meterProvider: MeterProvider | undefined;
  #instruments: EditInstruments | undefined;
  #removeGauges: (() => void) | undefined;

  constructor(options: { client: ObservedClient; logger: RetouchLogger | undefined }) {
    this.#logger = options.logger;
    this.#client = options.client;
  }

  /**
   * An observer for a new edit: with spans and metrics when `api` (an SDK is registered), else only
   * the logger's lines; `undefined` when neither listens.
   */
  observe(options: { job: ObservedJob; api: OpenTelemetryApi | undefined }): EditObserver | undefined {
    const { job, api } = options;
    if (!api) return this.#logger ? new EditObserver({ job, logger: this.#logger }) : undefined;
    this.#tracer ??= api.trace.getTracer(INSTRUMENTATION_SCOPE);
    return new EditObserver({
      job,
      logger: this.#logger,
      telemetry: { api, tracer: this.#tracer, instruments: this.#instrumentsOf(api) },
    });
  }

  /** Stops the gauges' reading of this client. */
  close(): void {
    this.#removeGauges?.();
    this.#removeGauges = undefined;
  }

  #instrumentsOf(api: OpenTelemetryApi): EditInstruments {
    const provider = api.metrics.getMeterProvider();
    if (this.#instruments && this.#meterProvider === provider) return this.#instruments;
    this.close();
    this.#meterProvider = provider;
    const meter = provider.getMeter(INSTRUMENTATION_SCOPE);
    this.#instruments = createInstruments(meter);
    this.#removeGauges = this.#observeGauges(meter);
    return this.#instruments;
  }

  #observeGauges(meter: Meter): () => void {
    const queueDepth = meter.createObservableGauge(METRIC.laneQueueDepth, {
      description: 'Calls and requests waiting in a provider lane',
      unit: '{request}',
    });
    const inFlight = meter.createObservableGauge(METRIC.laneInFlight, {
      description: 'Calls in flight in a provider lane',
      unit: '{call}',
    });
    const budgetRemaining = meter.createObservableGauge(METRIC.budgetRemaining, {
      description: 'US dollars left under the budget cap',
      unit: 'USD',
    });
    // One callback for the three, so one collection reads the lanes once.
    const observe = (result: BatchObservableResult): void => {
      for (const [provider, lane] of this.#client.lanes) {
        const stats = lane.stats();
        const attributes = { [ATTRIBUTE.providerName]: provider };
        result.observe(queueDepth, stats.waiting, attributes);
        result.observe(inFlight, stats.running, attributes);
      }
      const { ledger, maxUsd } = this.#client.budget;
      if (maxUsd !== undefined) {
        const committedUsd = ledger.spentUsd + ledger.possiblyBilledUsd + ledger.reservedUsd;
        result.observe(budgetRemaining, Math.max(0, maxUsd - committedUsd));
      }
    };
    const observables = [queueDepth, inFlight, budgetRemaining];
    meter.addBatchObservableCallback(observe, observables);
    return () => meter.removeBatchObservableCallback(observe, observables);
  }
}

function createInstruments(meter: Meter): EditInstruments {
  return {
    edits: meter.createCounter(METRIC.edits, { description: 'Edits settled, by outcome', unit: '{edit}' }),
    cost: meter.createCounter(METRIC.cost, { description: 'What settled edits cost', unit: 'USD' }),
    rateLimited: meter.createCounter(METRIC.rateLimited, {
      description: 'Requests a provider answered with 429',
      unit: '{request}',
    }),
    possiblyBilled: meter.createCounter(METRIC.possiblyBilled, {
      description: 'Edits that failed after they were sent, which the provider may have billed',
      unit: '{edit}',
    }),
    budgetRefusals: meter.createCounter(METRIC.budgetRefusals, {
      description: 'Edits the budget refused before anything was sent',
      unit: '{edit}',
    }),
    editDuration: meter.createHistogram(METRIC.editDuration, {
      description: 'Time from an edit being added to it settling',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600] },
    }),
    laneWait: meter.createHistogram(METRIC.laneWait, {
      description: "Time a request waited at its lane's gate",
      unit: 's',
      advice: { explicitBucketBoundaries: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] },
    }),
  };
}
