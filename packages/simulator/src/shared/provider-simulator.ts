import { BillingLedger, type BillingReport } from './billing-ledger.ts';
import type { CreditBalance } from './credit-balance.ts';
import type { FaultRule, SetFaultsOptions } from './faults.ts';
import type { FileStore } from './file-store.ts';
import type { PendingTimers } from './pending-timers.ts';
import type { ProviderProfile } from './provider-profile.ts';
import type { SlidingWindowRateLimiter } from './rate-limiter.ts';
import type { RecordedRequest } from './recording.ts';
import { resultFileRoutes } from './result-file-routes.ts';
import { type RouteDefinitions, RouteTable } from './route-table.ts';
import { type SimulatorServer, startSimulatorServer } from './simulator-server.ts';

/** Options of {@link startProviderServer}. */
export interface ProviderServerOptions {
  /** Port on `host`; 0 picks a free one. @default 0 */
  port?: number | undefined;
  /** @default '127.0.0.1' */
  host?: string | undefined;
  apiKey: string;
  /** The provider's own routes, in groups; `GET /files/:id` is added after them. */
  routes: RouteDefinitions[];
  profile: ProviderProfile;
  /** Where results are stored; its `baseUrl` is set once the server listens. */
  fileStore: FileStore;
  /** Cleared when the server closes. */
  timers: PendingTimers;
  rateLimiter?: SlidingWindowRateLimiter | undefined;
  /** @default 64 MiB */
  maxJsonBodyBytes?: number | undefined;
  maxMultipartBodyBytes: number;
  onRateLimited?: () => void;
  /** Stops the provider's own machinery (queues, streams) before the pending timers are cleared. */
  onClose?: () => void;
  /** The account's balance, whose charges go on the bill. */
  balance: CreditBalance;
  /** A file the bill is kept in across restarts; in memory when omitted. */
  billingFile?: string | undefined;
}

/**
 * Starts the server of one provider's simulator with what every simulator shares: the listening defaults,
 * result files served from `fileStore` and pending timers cleared on close.
 */
export async function startProviderServer(options: ProviderServerOptions): Promise<SimulatorServer> {
  const billing = new BillingLedger({ file: options.billingFile });
  options.balance.onCharge = (usd) => billing.recordCharge(usd);
  const server = await startSimulatorServer({
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    apiKey: options.apiKey,
    routes: new RouteTable([...options.routes, resultFileRoutes({ fileStore: options.fileStore })]),
    profile: options.profile,
    ...(options.rateLimiter === undefined ? {} : { rateLimiter: options.rateLimiter }),
    maxJsonBodyBytes: options.maxJsonBodyBytes ?? 64 * 1024 * 1024,
    maxMultipartBodyBytes: options.maxMultipartBodyBytes,
    retainUploadBytes: 16 * 1024 * 1024,
    billing,
    ...(options.onRateLimited === undefined ? {} : { onRateLimited: options.onRateLimited }),
    onClose: () => {
      options.onClose?.();
      options.timers.clear();
    },
  });
  options.fileStore.baseUrl = server.url;
  return server;
}

/**
 * What every running simulator offers, whatever provider it speaks: helpers written against it work
 * with both.
 *
 * @example
 * async function expectPaidOnce(simulator: Simulator): Promise<void> {
 *   expect(simulator.billableCount).toBe(1);
 *   await simulator.close();
 * }
 */
export interface Simulator {
  /** Base URL, e.g. `http://127.0.0.1:40123`: use it as the adapter's `baseURL`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The only bearer token it accepts. */
  readonly apiKey: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Requests accepted for paid work. */
  readonly billableCount: number;
  /**
   * What it has billed since it started (or since its state directory was made), never cleared by
   * `clearRequests()`; also served at `GET /__retouch/billing`.
   */
  readonly billing: BillingReport;
  /** Remaining USD balance when `credits` was set. */
  readonly credits: number | undefined;
  /** Replaces the fault script. */
  setFaults(rules: FaultRule[], options?: SetFaultsOptions): void;
  /** Forgets recorded requests and zeroes `billableCount` and the counters. */
  clearRequests(): void;
  /** Stops the server, ending hung requests and timers. */
  close(): Promise<void>;
}

/**
 * The handle a simulator returns: the common members read live from `server`, plus the provider's own
 * members in `extra`, whose getters stay getters.
 */
export function providerSimulatorHandle<Extra extends object>(options: {
  server: SimulatorServer;
  apiKey: string;
  credits: () => number | undefined;
  /** Zeroes the provider's own counters when the recording is cleared. */
  onClearRequests: () => void;
  extra: Extra;
}): Simulator & Extra {
  const { server } = options;
  const handle: Simulator = {
    url: server.url,
    port: server.port,
    apiKey: options.apiKey,
    get requests() {
      return server.requests;
    },
    get billableCount() {
      return server.billableCount;
    },
    get billing() {
      return server.billing.report();
    },
    get credits() {
      return options.credits();
    },
    setFaults: (rules, setOptions) => server.setFaults(rules, setOptions),
    clearRequests: () => {
      server.clearRequests();
      options.onClearRequests();
    },
    close: () => server.close(),
  };
  return Object.defineProperties(handle, Object.getOwnPropertyDescriptors(options.extra)) as Simulator &
    Extra;
}

/**
 * A read-only view of `values` whose members read the current values, for a handle's `counters`: the
 * simulator keeps counting in `values`, and a test reads the view whenever it likes.
 */
export function liveView<Values extends { [Name in keyof Values]: number }>(
  values: Values,
): Readonly<Values> {
  const view = {};
  for (const name of Object.keys(values) as (keyof Values)[]) {
    Object.defineProperty(view, name, { get: () => values[name], enumerable: true, configurable: true });
  }
  return view as Readonly<Values>;
}

/** Sets every counter back to zero. */
export function zeroCounters<Values extends { [Name in keyof Values]: number }>(values: Values): void {
  const counters = values as Record<string, number>;
  for (const name of Object.keys(counters)) counters[name] = 0;
}
