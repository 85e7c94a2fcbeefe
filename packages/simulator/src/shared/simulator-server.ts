/**
 * The HTTP server every simulator runs on. Each request passes, in order: routing, recording,
 * authentication, fault injection, the rate limit, the body, then the route's handler.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { BillingLedger } from './billing-ledger.ts';
import { faultRefusal, faultyAnswer, resetSocket } from './fault-answers.ts';
import { FaultInjector, type FaultRule, type SetFaultsOptions } from './faults.ts';
import { MultipartError } from './multipart.ts';
import type { ProviderProfile } from './provider-profile.ts';
import type { SlidingWindowRateLimiter } from './rate-limiter.ts';
import { type RecordedRequest, recordedBody, recordedQuery, redactHeaders } from './recording.ts';
import { BodyTooLargeError, type ParsedBody, readBody } from './request-body.ts';
import type { RouteContext, RouteResult } from './route.ts';
import type { RouteTable } from './route-table.ts';
import { reportExchange } from './traffic.ts';

/** Where every simulator serves its bill: what it has billed, as a `BillingReport` (the simulator's `billing`). */
export const BILLING_PATH = '/__retouch/billing';

/** Options of {@link startSimulatorServer}. */
export interface SimulatorServerOptions {
  port: number;
  host: string;
  apiKey: string;
  routes: RouteTable;
  profile: ProviderProfile;
  rateLimiter?: SlidingWindowRateLimiter;
  /** Largest JSON body, in bytes. */
  maxJsonBodyBytes: number;
  /** Largest multipart body, in bytes. */
  maxMultipartBodyBytes: number;
  /** Multipart file parts above this size are hashed, not kept. */
  retainUploadBytes: number;
  onClose?: () => void;
  /** The bill, served at `GET /__retouch/billing` and told of each billable request. */
  billing: BillingLedger;
  /** Called for each request refused by `rateLimiter`. */
  onRateLimited?: () => void;
}

/** The running server and what it recorded. */
export interface SimulatorServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  billableCount: number;
  billing: BillingLedger;
  faults: FaultInjector;
  setFaults(rules: FaultRule[], options?: SetFaultsOptions): void;
  clearRequests(): void;
  close(): Promise<void>;
}

/** The wait of a `slow` fault; it does not keep the process alive. */
function slowDown(delayMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, delayMs)).unref());
}

/** Starts a `node:http` server with recording, authentication, rate limiting and fault injection. */
export async function startSimulatorServer(options: SimulatorServerOptions): Promise<SimulatorServer> {
  const sockets = new Set<Socket>();
  const faults = new FaultInjector();
  const expectedAuthorization = `bearer ${options.apiKey}`;
  let sequence = 0;
  let closing = false;

  const state: SimulatorServer = {
    url: '',
    port: 0,
    requests: [],
    billableCount: 0,
    billing: options.billing,
    faults,
    setFaults: (rules, setOptions) => faults.setFaults(rules, setOptions),
    clearRequests: () => {
      state.requests.length = 0;
      state.billableCount = 0;
    },
    close: async () => {
      if (closing) return;
      closing = true;
      options.onClose?.();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const send = (context: { response: ServerResponse; record: RecordedRequest; result: RouteResult }) => {
    const { response, record, result } = context;
    if ('streaming' in result || 'hang' in result) return;
    if (response.headersSent || response.destroyed) return;
    const payload = 'json' in result ? JSON.stringify(result.json) : result.raw;
    const contentType = 'json' in result ? 'application/json; charset=utf-8' : result.contentType;
    record.status = result.status;
    response.writeHead(result.status, {
      'content-type': contentType,
      'content-length': String(Buffer.byteLength(payload)),
      ...result.headers,
    });
    response.end(payload);
    reportExchange({
      request: record,
      status: result.status,
      contentType,
      json: 'json' in result ? result.json : undefined,
    });
  };

  const handleRequest = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    if (method === 'GET' && url.pathname === BILLING_PATH) {
      // The simulator's own page, not the provider's API: neither recorded nor authenticated.
      request.resume();
      const payload = JSON.stringify(options.billing.report());
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      response.end(payload);
      return;
    }
    const matched = options.routes.match({ method, path: url.pathname });
    const authorization = request.headers.authorization ?? '';
    const authenticated = authorization.toLowerCase() === expectedAuthorization && options.apiKey !== '';
    sequence += 1;
    const record: RecordedRequest = {
      sequence,
      method,
      path: url.pathname,
      route: matched?.key,
      query: recordedQuery(url),
      headers: redactHeaders({ headers: request.headers, apiKey: options.apiKey }),
      body: undefined,
      authenticated,
      billable: false,
      at: Date.now(),
    };
    state.requests.push(record);

    if (matched === undefined) {
      request.resume();
      send({ response, record, result: options.profile.notFound(url.pathname) });
      return;
    }
    const { route, key: routeKey, params } = matched;

    const readAndRecord = async (): Promise<ParsedBody | RouteResult> => {
      try {
        const body = await readBody({
          request,
          limits: {
            maxJsonBodyBytes: options.maxJsonBodyBytes,
            maxMultipartBodyBytes: options.maxMultipartBodyBytes,
            maxFileBytes: route.maxFileBytes,
            retainUploadBytes: options.retainUploadBytes,
          },
        });
        record.body = recordedBody(body);
        return body;
      } catch (error) {
        if (
          error instanceof BodyTooLargeError ||
          (error instanceof MultipartError && error.reason === 'too-large')
        ) {
          return options.profile.tooLarge(error.message);
        }
        if (error instanceof MultipartError) return options.profile.malformedBody(error.message);
        throw error;
      }
    };

    if (!route.public && !authenticated) {
      const body = await readAndRecord();
      send({ response, record, result: 'type' in body ? options.profile.unauthorized() : body });
      return;
    }

    const fault = faults.pick({ method, routeKey, path: url.pathname });
    if (fault !== undefined) record.fault = fault.kind;
    if (fault?.kind === 'reset-before-body') {
      resetSocket(request.socket);
      return;
    }
    if (fault?.kind === 'hang') return;

    let rateLimitedMs: number | undefined;
    if (options.rateLimiter !== undefined && !route.public) {
      const verdict = options.rateLimiter.take({ account: options.apiKey });
      if (!verdict.ok) rateLimitedMs = verdict.retryAfterMs;
    }

    const body = await readAndRecord();
    if (!('type' in body)) {
      send({ response, record, result: body });
      return;
    }
    if (rateLimitedMs !== undefined) {
      options.onRateLimited?.();
      const result = options.profile.rateLimited({
        retryAfterSeconds: Math.ceil(rateLimitedMs / 100) / 10,
        retryAfterIn: 'body',
      });
      send({ response, record, result });
      return;
    }
    if (fault?.kind === 'slow') await slowDown(fault.delayMs ?? 1_000);
    const refusal = faultRefusal({ fault, profile: options.profile });
    if (refusal !== undefined) {
      send({ response, record, result: refusal });
      return;
    }

    const context: RouteContext = {
      request,
      response,
      params,
      url,
      body,
      record,
      fault,
      markBillable: () => {
        if (record.billable) return;
        record.billable = true;
        state.billableCount += 1;
        options.billing.recordBillable(routeKey);
      },
    };
    const result = await route.handle(context);
    if ('streaming' in result || 'hang' in result) return;
    if (fault?.kind === 'reset-after-body') {
      resetSocket(request.socket);
      return;
    }
    if (fault?.kind === 'error-after-billing') {
      send({ response, record, result: options.profile.serverError(fault.status ?? 500) });
      return;
    }
    send({ response, record, result: faultyAnswer({ fault, result, routeKey, profile: options.profile }) });
  };

  const server: Server = createServer((request, response) => {
    handleRequest(request, response).catch((error: unknown) => {
      if (response.headersSent || response.destroyed) {
        response.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      const result = options.profile.serverError(500);
      if ('json' in result) {
        response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify(result.json));
      } else {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(message);
      }
    });
  });
  // Hung requests and slow uploads must not be cut short by Node's own timeouts; close() ends them.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  state.port = address.port;
  state.url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${address.port}`;
  return state;
}
