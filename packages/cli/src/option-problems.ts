import {
  createRetouch,
  type EditCheck,
  type EditRequest,
  InvalidRequestError,
  type ProviderAdapter,
  type Retouch,
} from '@retouch/core';
import { inCliWords } from './cli-words.ts';

/** One problem {@link optionProblems} found. */
export interface OptionProblem {
  /** The request field at fault, e.g. `providerOptions.oxen.guidance` or `model`, when one is named. */
  field: string | undefined;
  /** `where: field: what is wrong and the fix`, in the CLI's words. */
  text: string;
}

/**
 * What is wrong with a request's options, as its provider's adapter sees it before sending
 * (`retouch.check()`); none when it passes.
 * A problem is what the adapter refuses outright, or a model's own parameter (`providerOptions`) it
 * would not send as written: an unknown name, a value outside the model's values or range. Neutral
 * options the model adjusts (a size sent as the model's tier) are not problems: the result's warnings
 * say what was done. Any other failure (a refused key) is thrown, as it would stop every request.
 *
 * @example
 * const problems = await optionProblems({ request, where: 'catalogue.jsonl:3', check: (r) => retouch.check(r) });
 */
export async function optionProblems(options: {
  request: EditRequest;
  /** Where the request was written, to start each problem with (`catalogue.jsonl:3`, a model id). */
  where: string;
  /** The non-billable check `edit()` runs before sending. */
  check: (request: EditRequest) => Promise<EditCheck>;
}): Promise<OptionProblem[]> {
  const { where } = options;
  let check: EditCheck;
  try {
    check = await options.check(options.request);
  } catch (error) {
    if (!InvalidRequestError.isInstance(error)) throw error;
    return error.issues.map((issue) => ({
      field: issue.path || undefined,
      text: `${where}: ${issue.path ? `${issue.path}: ` : ''}${inCliWords(issue.message)}`,
    }));
  }
  return check.warnings.flatMap((warning) =>
    warning.type !== 'other' && warning.option.startsWith('providerOptions.')
      ? [
          {
            field: warning.option,
            text: `${where}: ${warning.option}: ${inCliWords(withoutRunNote(warning.message))}; change or remove it (retouch models lists each model's parameters and their values)`,
          },
        ]
      : [],
  );
}

/** A warning's message without what happened at run time ("it was not sent, so …"): nothing was. */
function withoutRunNote(message: string): string {
  return message.replace(/; it was not sent.*$/s, '');
}

/**
 * A client for checking requests with the command's adapters, whose `close()` leaves them open: the
 * command's own client sends through them next, and an adapter from a providers module may not be
 * usable once closed.
 *
 * @example
 * const checker = createCheckingClient(session.adapters);
 * try { await checker.check(request); } finally { await checker.close(); }
 */
export function createCheckingClient(adapters: readonly ProviderAdapter[]): Retouch {
  return createRetouch({
    providers: adapters.map(
      (adapter) =>
        // A proxy rather than a copy: adapters may be class instances with private state.
        new Proxy(adapter, {
          get(target, key) {
            if (key === 'close') return undefined;
            const value = Reflect.get(target, key, target) as unknown;
            return typeof value === 'function' ? value.bind(target) : value;
          },
        }),
    ),
  });
}
