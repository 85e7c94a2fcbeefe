import { pickEditOptions, type RunCompareOptions } from '@retouch/compare';
import type { EditRequest } from '@retouch/core';
import { createCheckingClient, optionProblems } from './option-problems.ts';
import { providerOf } from './provider-ids.ts';
import { UsageError } from './usage-error.ts';

/**
 * Checks each compared model's request as its adapter will before sending it (see
 * {@link optionProblems}), and refuses the comparison, listing every problem, before any edit is sent.
 * A model its provider does not serve is left to the comparison, which reports it as a failed row.
 *
 * @example
 * await refuseBadCompareOptions(compareOptions);
 */
export async function refuseBadCompareOptions(compare: RunCompareOptions): Promise<void> {
  const retouch = createCheckingClient(compare.providers);
  let problems: string[];
  try {
    const found = await Promise.all(
      compare.models.map((entry) =>
        optionProblems({
          request: compareRequest({ compare, model: entry.model, providerOptions: entry.providerOptions }),
          where: entry.label ?? entry.model,
          check: (request) => retouch.check(request),
        }),
      ),
    );
    // A model the provider does not serve is not refused here: the comparison reports it as failed.
    problems = found
      .flat()
      .filter((problem) => problem.field !== 'model')
      .map((problem) => problem.text);
  } finally {
    await retouch.close();
  }
  if (problems.length === 0) return;
  throw new UsageError({
    command: 'compare',
    message: `${problems.length === 1 ? 'a model has a bad option' : `the models have ${problems.length} bad options`}; nothing was sent:\n  ${problems.join('\n  ')}`,
  });
}

/** The request the comparison sends for one model (its provider's options only). */
function compareRequest(options: {
  compare: RunCompareOptions;
  model: string;
  providerOptions: Record<string, Record<string, unknown>> | undefined;
}): EditRequest {
  const { compare, model } = options;
  const provider = providerOf(model);
  const own = options.providerOptions?.[provider];
  return {
    model,
    prompt: compare.prompt,
    images: [...compare.images],
    ...(compare.mask ? { mask: compare.mask } : {}),
    ...pickEditOptions([compare.editOptions ?? {}]),
    ...(own ? { providerOptions: { [provider]: own } } : {}),
  };
}
