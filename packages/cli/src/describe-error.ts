import { describeError as describeRunError, type RunError } from '@retouch/compare';
import { inCliWords } from './cli-words.ts';

export { errorLine, type RunError } from '@retouch/compare';

/**
 * What a caught value says about the failure, as `@retouch/compare`'s `describeError` does, with the
 * library's advice put in the CLI's terms (flags and config keys, see {@link inCliWords}).
 *
 * @example
 * console.error(describeError(error).message); // "... pass --budget-usd ..."
 */
export function describeError(error: unknown): RunError {
  const described = describeRunError(error);
  return { ...described, message: inCliWords(described.message) };
}
