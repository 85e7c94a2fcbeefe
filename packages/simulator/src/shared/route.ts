import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultRule } from './faults.ts';
import type { RecordedRequest } from './recording.ts';
import type { ParsedBody } from './request-body.ts';
import { isRecord } from './values.ts';

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
  /** The path's `:name` segments, decoded. */
  params: Record<string, string>;
  url: URL;
  body: ParsedBody;
  record: RecordedRequest;
  /** The fault picked for this request, when it is one the handler must act on. */
  fault: FaultRule | undefined;
  /** Marks the request as accepted for paid work. */
  markBillable(): void;
}

/** Answers one route's requests. */
export type RouteHandler = (context: RouteContext) => Promise<RouteResult> | RouteResult;

/** A route's handler with the settings the server reads before calling it. */
export interface RouteDefinition {
  /** No bearer token needed (presigned result URLs, public model lists). */
  public?: boolean;
  /** Which content types the body may have. @default 'json' */
  accepts?: 'json' | 'json-or-multipart' | 'multipart';
  /** Largest multipart file part. */
  maxFileBytes?: number;
  handle: RouteHandler;
}

/**
 * Whether a value is a finished answer rather than what a request reader returns on success: lets a
 * reader return either the value it read or the error answer, and the route tell them apart.
 */
export function isRouteResult(value: unknown): value is RouteResult {
  return isRecord(value) && 'status' in value && ('json' in value || 'raw' in value);
}
