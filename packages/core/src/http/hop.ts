import type { RequestGate, RequestOutcome } from './request-gate.ts';

/** Reports a request's outcome to its gate. */
export type Settle = (outcome: RequestOutcome) => void;

/**
 * One request as it goes out through ky: one hop of a redirect chain, with its retries. Hooks read it
 * from ky's `context`, so the state of one request is never shared with another.
 */
export interface Hop {
  readonly method: string;
  readonly url: URL;
  /** Whether the request goes to the provider's origin (the key and the gate are for it alone). */
  readonly own: boolean;
  readonly billable: boolean;
  readonly gate: RequestGate | undefined;
  /** The caller's signal, whose reason passes through unwrapped. */
  readonly callerSignal: AbortSignal | undefined;
  readonly timeoutMs: number | false;
  /** The most bytes of the answer read (see `capResponse`). */
  readonly maxResponseBytes: number;
  /** The size error raised while the answer was read, if its bytes passed the cap. */
  sizeError: Error | undefined;
  /** The gate's outcome function for the attempt in flight, until it is told. */
  settle: Settle | undefined;
  /** The last answer's status line and headers (the body stays with ky). */
  answered: { status: number; headers: Headers } | undefined;
}

/**
 * A redirect answering a body that fetch was told not to replay (`redirect: 'error'`). The client
 * decides what follows: a free request is sent again to read where it goes; one that may be billed is
 * refused.
 */
export class UnexpectedRedirect extends Error {
  /** Whether `error` is one, by name: the transport module loads apart from the client's. */
  static isInstance(error: unknown): error is UnexpectedRedirect {
    return error instanceof Error && error.name === 'UnexpectedRedirect';
  }

  constructor(options: { cause: unknown }) {
    super('unexpected redirect', options);
    this.name = 'UnexpectedRedirect';
  }
}

/** Tells the gate how the attempt in flight went, once per admitted attempt. */
export function tell(hop: Hop, outcome: RequestOutcome): void {
  const settle = hop.settle;
  if (!settle) return;
  hop.settle = undefined;
  settle(outcome);
}
