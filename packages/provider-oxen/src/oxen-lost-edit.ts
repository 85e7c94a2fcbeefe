import type { LostEditQuery, LostEditSearch, ProviderContext } from '@retouch/core/provider-utils';
import type { OxenClaims } from './oxen-claims.ts';
import { encodeOxenBody, type OxenEditPlan } from './oxen-edit-plan.ts';
import type { OxenJobContexts } from './oxen-job-contexts.ts';
import { joinJobId } from './oxen-queue.ts';
import { findLostGenerations } from './oxen-recovery.ts';

/**
 * How long after a request left Oxen's records surely list it, if Oxen received it: a request still
 * on its way when its process died arrives within this, or never (its connection closed with the
 * process). Oxen lists a generation as it takes the request.
 */
export const RECORDS_LISTING_DELAY_MS = 5_000;

/**
 * The adapter's `findLostEdit`: looks an edit another process sent, and lost the answer to, up in
 * Oxen's records with the matching of an in-process recovery (model, prompt, echoed parameters and
 * enqueue time from `sentAt`; every one of its `n` generations, and nothing else that could be them).
 * Found generations are claimed, so this process never matches them to another edit, and resumed
 * with their billed cost read back. A sync edit found there stays `unknown`, naming its generation:
 * Oxen serves a sync generation's status on no route a job is followed by. A request is `absent` only once the records would list it and
 * were read whole. Rows of an identical request another live process sent at the same moment cannot
 * be told from these: such a pair shows as ambiguous only when both reached Oxen.
 */
export async function findOxenLostEdit(options: {
  lost: LostEditQuery<OxenEditPlan>;
  context: ProviderContext;
  claims: OxenClaims;
  contexts: OxenJobContexts;
}): Promise<LostEditSearch> {
  const { lost, context } = options;
  const { plan } = lost;
  const body = await encodeOxenBody(plan, { mode: plan.mode === 'sync' ? 'edit' : 'queue' });
  const listedBy = lost.sentAt + RECORDS_LISTING_DELAY_MS;
  let search: Awaited<ReturnType<typeof findLostGenerations>>;
  try {
    search = await findLostGenerations({
      http: context.http,
      lost: { body, count: lost.request.n, sentAt: lost.sentAt },
      exclude: (row) => options.claims.claimed(row),
      signal: context.signal,
    });
  } catch (error) {
    if (context.signal.aborted) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    return { state: 'unknown', reason: `Oxen's records could not be read (${detail})` };
  }
  if ('found' in search && plan.mode === 'sync') {
    const rows = search.found.map((row) => `${row.generation_id} (${row.status})`).join(', ');
    return {
      state: 'unknown',
      reason: `Oxen's records hold it as generation ${rows}, but a sync edit has no job on Oxen that can be followed or read again`,
    };
  }
  if ('found' in search) {
    const generationIds = search.found.map((row) => row.generation_id);
    options.claims.claimGenerations(generationIds);
    options.contexts.remember(generationIds, {
      modelId: plan.modelId,
      outputFormat: plan.outputFormat,
      costPerImage: plan.costPerImage,
      responseFormat: plan.responseFormat,
      // Oxen billed these already: what it charged is read back, not estimated.
      reportCost: true,
    });
    return { state: 'found', providerJobId: joinJobId(generationIds) };
  }
  if (Date.now() < listedBy) {
    return {
      state: 'unknown',
      reason: `${search.reason}, but the request left less than ${RECORDS_LISTING_DELAY_MS / 1000} s ago and may not be listed yet`,
      notBefore: listedBy,
    };
  }
  return search.none ? { state: 'absent' } : { state: 'unknown', reason: search.reason };
}
