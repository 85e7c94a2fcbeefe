/**
 * The HTTP server both simulators run on: routing, auth, recording, fault injection and rate limits.
 * Past the guide's 400 lines because each of these wraps every request, in order, in one handler.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultInjector, type FaultKind, type FaultRule, type SetFaultsOptions } from './faults.ts';
import { type MultipartBody, MultipartError, parseMultipart } from './multipart.ts';
import type { SlidingWindowRateLimiter } from './rate-limiter.ts';
import { type RecordedMultipartBody, type RecordedRequest, redactHeaders } from './recording.ts';
import { reportExchange } from './traffic.ts';

/** A parsed request body, as handlers see it. */
export type ParsedBody =
  | { type: 'none' }
  | { type: 'json'; value: unknown }
  | { type: 'invalid-json'; text: string; message: string; position: number }
  | { type: 'multipart'; value: MultipartBody }
  | { type: 'other'; contentType: string; size: number };

/** What a handler answers. */
export type RouteResult =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; raw: Buffer | string; contentType: string; headers?: Record<string, string> }
  /** The handler wrote (or keeps writing) the response itself, e.g. an event stream. */
  | { streaming: true }
  /** Never answer: the request stays open until the client gives up or the simulator closes. */
  | { hang: true };

/** Everything a handler gets. */
export interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  params: Record<string, string>;
  url: URL;
  body: ParsedBody;
  record: RecordedRequest;
  /** The fault picked for this request, when it is one the handler must act on. */
  fault: FaultRule | undefined;
  /** Marks the request as accepted for paid work. */
  markBillable(): void;
}

/** One route of a simulator. */
export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** A path pattern, `:name` matching one segment. */
  pattern: string;
  /** No bearer token needed (presigned result URLs, public model lists). */
  public?: boolean;
  /** Which content types the body may have. @default 'json' */
  accepts?: 'json' | 'json-or-multipart' | 'multipart';
  /** Largest multipart file part. */
  maxFileBytes?: number;
  handle(context: RouteContext): Promise<RouteResult> | RouteResult;
}

/** How one provider words its generic answers. */
export interface ProviderProfile {
  unauthorized(): RouteResult;
  notFound(path: string): RouteResult;
  rateLimited(options: {
    retryAfterSeconds: number | undefined;
    retryAfterIn: 'header' | 'body' | 'both';
  }): RouteResult;
  /** The default place of the retry delay in a `rate-limit` fault. */
  retryAfterIn: 'header' | 'body';
  serverError(status: number): RouteResult;
  tooLarge(message: string): RouteResult;
  insufficientCredits(shape: 'simple' | 'detailed'): RouteResult;
  /** A multipart body that cannot be parsed. */
  malformedBody(message: string): RouteResult;
  /** Rewrites a valid JSON body so that it no longer matches the documented schema. */
  violateSchema?(json: unknown, routeKey: string): unknown;
}

/** Options of {@link startSimulatorServer}. */
export interface SimulatorServerOptions {
  port: number;
  host: string;
  apiKey: string;
  routes: Route[];
  profile: ProviderProfile;
  rateLimiter?: SlidingWindowRateLimiter;
  /** Largest JSON body, in bytes. */
  maxJsonBodyBytes: number;
  /** Largest multipart body, in bytes. */
  maxMultipartBodyBytes: number;
  /** Multipart file parts above this size are hashed, not kept. */
  retainUploadBytes: number;
  onClose?: () => void;
  /** Called for each request refused by `rateLimiter`. */
  onRateLimited?: () => void;
}

/** The running server and what it recorded. */
export interface SimulatorServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  billableCount: number;
  faults: FaultInjector;
  setFaults(rules: FaultRule[], options?: SetFaultsOptions): void;
  clearRequests(): void;
  close(): Promise<void>;
}

/** Faults the server applies itself before the handler runs. */
const preHandlerFaults: FaultKind[] = [
  'reset-before-body',
  'hang',
  'rate-limit',
  'rate-limit-without-retry-after',
  'status',
  'insufficient-credits',
];

function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const patternSegments = pattern.split('/');
  const pathSegments = path.split('/');
  if (patternSegments.length !== pathSegments.length) return undefined;
  const params: Record<string, string> = {};
  for (let index = 0; index < patternSegments.length; index++) {
    const expected = patternSegments[index]!;
    const actual = pathSegments[index]!;
    if (expected.startsWith(':')) {
      if (actual === '') return undefined;
      try {
        params[expected.slice(1)] = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}

function queryObject(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const existing = query[name];
    if (existing === undefined) query[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else query[name] = [existing, value];
  }
  return query;
}

class BodyTooLargeError extends Error {}

async function readAll(options: { request: IncomingMessage; limit: number }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of options.request) {
    size += (chunk as Buffer).length;
    if (size > options.limit) tooLarge = true;
    if (!tooLarge) chunks.push(chunk as Buffer);
  }
  if (tooLarge) throw new BodyTooLargeError(`request body exceeds ${options.limit} bytes`);
  return Buffer.concat(chunks);
}

function jsonErrorPosition(message: string): number {
  const match = /position (\d+)/.exec(message);
  return match ? Number(match[1]) : 0;
}

async function readBody(options: {
  request: IncomingMessage;
  route: Route | undefined;
  server: SimulatorServerOptions;
}): Promise<ParsedBody> {
  const { request } = options;
  const contentType = (request.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('multipart/form-data')) {
    const value = await parseMultipart({
      stream: request,
      contentType: request.headers['content-type'] ?? '',
      retainBytes: options.server.retainUploadBytes,
      maxBodyBytes: options.server.maxMultipartBodyBytes,
      ...(options.route?.maxFileBytes === undefined ? {} : { maxFileBytes: options.route.maxFileBytes }),
    });
    return { type: 'multipart', value };
  }
  const bytes = await readAll({ request, limit: options.server.maxJsonBodyBytes });
  if (bytes.length === 0) return { type: 'none' };
  if (contentType.startsWith('application/json') || contentType.includes('+json') || contentType === '') {
    const text = bytes.toString('utf8');
    try {
      return { type: 'json', value: JSON.parse(text) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { type: 'invalid-json', text, message, position: jsonErrorPosition(message) };
    }
  }
  return { type: 'other', contentType, size: bytes.length };
}

function recordedBody(body: ParsedBody): unknown {
  switch (body.type) {
    case 'none':
      return undefined;
    case 'json':
      return body.value;
    case 'invalid-json':
      return body.text;
    case 'multipart': {
      const summary: RecordedMultipartBody = {
        fields: body.value.fields,
        files: body.value.files.map((file) => ({
          name: file.name,
          filename: file.filename,
          contentType: file.contentType,
          size: file.size,
          sha256: file.sha256,
          ...(file.bytes === undefined ? {} : { bytes: file.bytes }),
        })),
      };
      return summary;
    }
    case 'other':
      return { contentType: body.contentType, size: body.size };
  }
}

function resetSocket(socket: Socket): void {
  // A TCP reset, not a clean close: what a crashed upstream or a dropped load balancer connection does.
  if (typeof socket.resetAndDestroy === 'function' && !socket.destroyed) socket.resetAndDestroy();
  else socket.destroy();
}

/** A generic schema violation: arrays become strings and strings become numbers, one level deep. */
export function defaultSchemaViolation(json: unknown): unknown {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { unexpected: json };
  const result: Record<string, unknown> = {};
  let changed = false;
  for (const [key, value] of Object.entries(json)) {
    if (Array.isArray(value)) {
      result[key] = 'not-an-array';
      changed = true;
    } else {
      result[key] = value;
    }
  }
  if (!changed) {
    for (const [key, value] of Object.entries(result)) {
      if (typeof value === 'string') result[key] = 404;
    }
  }
  return result;
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
    let route: Route | undefined;
    let params: Record<string, string> = {};
    for (const candidate of options.routes) {
      if (candidate.method !== method) continue;
      const matched = matchPattern(candidate.pattern, url.pathname);
      if (matched !== undefined) {
        route = candidate;
        params = matched;
        break;
      }
    }
    const routeKey = route === undefined ? undefined : `${route.method} ${route.pattern}`;
    const authorization = request.headers.authorization ?? '';
    const authenticated = authorization.toLowerCase() === expectedAuthorization && options.apiKey !== '';
    sequence += 1;
    const record: RecordedRequest = {
      sequence,
      method,
      path: url.pathname,
      route: routeKey,
      query: queryObject(url),
      headers: redactHeaders({ headers: request.headers, apiKey: options.apiKey }),
      body: undefined,
      authenticated,
      billable: false,
      at: Date.now(),
    };
    state.requests.push(record);

    const readAndRecord = async (): Promise<ParsedBody | RouteResult> => {
      try {
        const body = await readBody({ request, route, server: options });
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

    if (route === undefined || routeKey === undefined) {
      request.resume();
      send({ response, record, result: options.profile.notFound(url.pathname) });
      return;
    }
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
    if (fault !== undefined && preHandlerFaults.includes(fault.kind)) {
      let result: RouteResult;
      if (fault.kind === 'rate-limit') {
        result = options.profile.rateLimited({
          retryAfterSeconds: fault.retryAfterSeconds ?? 1,
          retryAfterIn: fault.retryAfterIn ?? options.profile.retryAfterIn,
        });
      } else if (fault.kind === 'rate-limit-without-retry-after') {
        result = options.profile.rateLimited({ retryAfterSeconds: undefined, retryAfterIn: 'both' });
      } else if (fault.kind === 'insufficient-credits') {
        result = options.profile.insufficientCredits(fault.shape ?? 'detailed');
      } else {
        result = options.profile.serverError(fault.status ?? 500);
      }
      send({ response, record, result });
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
      },
    };
    const result = await route.handle(context);
    if ('streaming' in result || 'hang' in result) return;
    const succeeded = result.status >= 200 && result.status < 300;
    if (fault?.kind === 'reset-after-body') {
      resetSocket(request.socket);
      return;
    }
    if (fault?.kind === 'malformed-json' && succeeded && 'json' in result) {
      const text = JSON.stringify(result.json);
      const truncated = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      send({
        response,
        record,
        result: { status: result.status, raw: truncated, contentType: 'application/json' },
      });
      return;
    }
    if (fault?.kind === 'schema-violation' && succeeded && 'json' in result) {
      const violate = options.profile.violateSchema ?? defaultSchemaViolation;
      send({ response, record, result: { ...result, json: violate(result.json, routeKey) } });
      return;
    }
    send({ response, record, result });
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
