import type { Cost } from '../cost.ts';
import type { EditJobSnapshot } from '../edit-job-snapshot.ts';
import type { EditRequest } from '../edit-request.ts';
import { RetouchError } from '../errors/retouch-error.ts';
import { normalizeEditRequest } from '../normalize-edit-request.ts';
import type { LostEditSearch, ProviderContext } from '../provider.ts';
import { delay } from '../timers.ts';
import type { DispatchContext } from './dispatch-context.ts';
import { prepareEdit } from './prepare-edit.ts';
import type { ProviderRegistry } from './provider-registry.ts';

/**
 * Options of `retouch.findLostEdit()`.
 *
 * @example
 * await retouch.findLostEdit(request, { sentAt: saved.sentAt, billingKey: `queue:${jobId}` });
 */
export interface FindLostEditOptions {
  /** When the edit's billable request was about to leave, in epoch milliseconds (from `beforeSend`). */
  sentAt: number;
  /**
   * The billing key the edit was sent under, so resuming what is found charges that entry of the
   * budget's store. @default the found snapshot's own id
   */
  billingKey?: string;
  /** Aborts the lookup, and the wait before it. */
  signal?: AbortSignal;
}

/**
 * What `retouch.findLostEdit()` found: `found` with a snapshot that `retouch.resume()` re-attaches to
 * (a running job is followed, a finished one read for its outputs and cost); `absent` when the
 * provider provably never received the request, so sending it cannot pay twice; `unknown` with the
 * reason otherwise, when the edit must stay possibly billed.
 *
 * @example
 * const lost = await retouch.findLostEdit(request, { sentAt });
 * if (lost.state === 'found') result = await (await retouch.resume(lost.snapshot)).result();
 */
export type LostEdit =
  | {
      /** The provider's records hold the edit, and nothing else that could be it. */
      state: 'found';
      /** The edit as a provider job, for `retouch.resume()`. */
      snapshot: EditJobSnapshot;
    }
  | {
      /** The provider never received the request: its records would list it by now. */
      state: 'absent';
    }
  | {
      /** The records cannot tell: the edit may have been billed. */
      state: 'unknown';
      /** Why, for people. */
      reason: string;
    };

/**
 * `retouch.findLostEdit()`: prepares the request as its edit was, then asks its adapter's
 * `findLostEdit`. An answer of "too early" is waited out here, once, since adapters never sleep.
 */
export async function findLostEdit(options: {
  request: EditRequest;
  lost: FindLostEditOptions;
  providers: ProviderRegistry;
  context: DispatchContext;
}): Promise<LostEdit> {
  const { lost } = options;
  if (!Number.isFinite(lost.sentAt) || lost.sentAt <= 0) {
    throw new RetouchError({
      message: `findLostEdit: sentAt must be the epoch milliseconds the edit was sent at, got ${String(lost.sentAt)}`,
    });
  }
  const normalized = await normalizeEditRequest(options.request);
  const adapter = options.providers.adapterFor(normalized);
  if (!adapter.findLostEdit) {
    return {
      state: 'unknown',
      reason: `${adapter.id} keeps no records of past edits that Retouch can look the edit up in`,
    };
  }
  const { signal: _signal, timeoutMs: _timeoutMs, ...forAdapter } = normalized;
  const context: ProviderContext = {
    http: options.context.transport({ adapter, priority: 0 }),
    signal: lost.signal ?? new AbortController().signal,
  };
  const prepared = await prepareEdit({ adapter, request: forAdapter, context, strict: false });
  const query = { request: forAdapter, plan: prepared.plan, sentAt: lost.sentAt };
  let search: LostEditSearch = await adapter.findLostEdit(query, context);
  if (search.state === 'unknown' && search.notBefore !== undefined && search.notBefore > Date.now()) {
    await delay(search.notBefore - Date.now(), { signal: context.signal });
    search = await adapter.findLostEdit(query, context);
  }
  if (search.state === 'absent') return { state: 'absent' };
  if (search.state === 'unknown') return { state: 'unknown', reason: search.reason };
  const estimate: Cost | undefined = await adapter
    .estimateCost?.({ request: forAdapter, plan: prepared.plan }, context)
    .catch(() => undefined);
  const id = lost.billingKey ?? `lost-${search.providerJobId}`;
  return {
    state: 'found',
    snapshot: {
      type: 'retouch.edit-job',
      version: 1,
      id,
      billingKey: id,
      status: 'running',
      requestedModel: normalized.model,
      model: normalized.model,
      provider: adapter.id,
      providerJobId: search.providerJobId,
      createdAt: lost.sentAt,
      updatedAt: Date.now(),
      ...(estimate ? { estimatedCost: estimate } : {}),
      warnings: [
        ...prepared.warnings,
        {
          type: 'other',
          message: `the answer to this edit was lost; ${adapter.id}'s records hold it as job ${search.providerJobId}, which was resumed rather than sent again`,
        },
      ],
      attempts: [],
    },
  };
}
