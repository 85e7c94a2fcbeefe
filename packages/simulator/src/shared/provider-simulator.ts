import type { FaultRule, SetFaultsOptions } from './faults.ts';
import type { FileStore } from './file-store.ts';
import { filesRoute } from './files-route.ts';
import type { PendingTimers } from './pending-timers.ts';
import type { SlidingWindowRateLimiter } from './rate-limiter.ts';
import type { RecordedRequest } from './recording.ts';
import {
  type ProviderProfile,
  type Route,
  type SimulatorServer,
  startSimulatorServer,
} from './simulator-server.ts';

/** Options of {@link startProviderServer}. */
export interface ProviderServerOptions {
  /** Port on `host`; 0 picks a free one. @default 0 */
  port?: number | undefined;
  /** @default '127.0.0.1' */
  host?: string | undefined;
  apiKey: string;
  /** The provider's own routes; `GET /files/:id` is added after them. */
  routes: Route[];
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
}

/**
 * Starts the server of one provider's simulator with what every simulator shares: the listening defaults,
 * result files served from `fileStore` and pending timers cleared on close.
 */
export async function startProviderServer(options: ProviderServerOptions): Promise<SimulatorServer> {
  const server = await startSimulatorServer({
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    apiKey: options.apiKey,
    routes: [...options.routes, filesRoute({ fileStore: options.fileStore })],
    profile: options.profile,
    ...(options.rateLimiter === undefined ? {} : { rateLimiter: options.rateLimiter }),
    maxJsonBodyBytes: options.maxJsonBodyBytes ?? 64 * 1024 * 1024,
    maxMultipartBodyBytes: options.maxMultipartBodyBytes,
    retainUploadBytes: 16 * 1024 * 1024,
    ...(options.onRateLimited === undefined ? {} : { onRateLimited: options.onRateLimited }),
    onClose: () => {
      options.onClose?.();
      options.timers.clear();
    },
  });
  options.fileStore.baseUrl = server.url;
  return server;
}

/** What the handle of every simulator offers, whatever the provider. */
export interface ProviderSimulatorHandle {
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  readonly requests: RecordedRequest[];
  readonly billableCount: number;
  readonly credits: number | undefined;
  setFaults(rules: FaultRule[], options?: SetFaultsOptions): void;
  clearRequests(): void;
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
}): ProviderSimulatorHandle & Extra {
  const { server } = options;
  const handle: ProviderSimulatorHandle = {
    url: server.url,
    port: server.port,
    apiKey: options.apiKey,
    get requests() {
      return server.requests;
    },
    get billableCount() {
      return server.billableCount;
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
  return Object.defineProperties(
    handle,
    Object.getOwnPropertyDescriptors(options.extra),
  ) as ProviderSimulatorHandle & Extra;
}
