import { RetouchError } from '@retouch/core';
import { inCliWords } from './cli-words.ts';

/** Why a run failed, secret-free. */
export interface RunError {
  /** The error class, e.g. `ApiCallError` or `BudgetExceededError`. */
  name: string;
  /** What went wrong, secrets redacted. */
  message: string;
  /** The provider's error code, when it sent one. */
  code?: string;
  /** The HTTP status, for API errors. */
  statusCode?: number;
}

/**
 * What a caught value says about the failure: its class name and message (its advice in the CLI's
 * terms, see {@link inCliWords}), and the provider's error code and HTTP status when it carries them. Anything thrown that is not an error is named `Error`,
 * with its text as the message. Retouch's errors arrive with secrets already redacted.
 *
 * @example
 * describeError(new TypeError('fetch failed')); // { name: 'TypeError', message: 'fetch failed' }
 */
export function describeError(error: unknown): RunError {
  if (error instanceof Error || RetouchError.isInstance(error)) {
    const described: RunError = { name: error.name, message: inCliWords(error.message) };
    const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
    if (typeof code === 'string') described.code = code;
    if (typeof statusCode === 'number') described.statusCode = statusCode;
    return described;
  }
  return { name: 'Error', message: inCliWords(String(error)) };
}

/**
 * A failure on one line, `Name: message`, as the table, the report, progress lines and logs show it.
 *
 * @example
 * errorLine(describeError(error)); // 'ApiCallError: edenai: rate limited (429)'
 */
export function errorLine(error: RunError): string {
  return `${error.name}: ${error.message}`;
}
