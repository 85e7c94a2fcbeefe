import { type EditWarning, InvalidResponseError, roundUsd } from '@retouch/core';
import {
  createGeneratedImage,
  type HttpClient,
  type ProviderCall,
  type ProviderEditOutput,
} from '@retouch/core/provider-utils';
import { loadOxenWire, OXEN_PATHS, type OxenEditResponse } from './oxen-api.ts';
import { encodeOxenBody, type OxenEditPlan } from './oxen-edit-plan.ts';
import { refineOxenError } from './oxen-error.ts';
import { mediaTypeOf } from './oxen-job-status.ts';

/** The provider id. */
const PROVIDER = 'oxen';

/**
 * Runs a prepared edit in sync mode. Oxen's edit endpoint makes one image per request (its `n` is in
 * the older OpenAPI fragment only), so `n` images are `n` blocking `POST /api/ai/images/edit`, each
 * waiting for room in the lane's window on its own; the result holds the images of those that
 * succeeded, and fails only when none did.
 */
export async function runOxenSyncEdit(options: {
  call: ProviderCall<OxenEditPlan>;
  plan: OxenEditPlan;
  /** The longest a request waits for its response. */
  timeoutMs: number;
}): Promise<ProviderEditOutput> {
  const { call, plan, timeoutMs } = options;
  const { oxenEditResponseSchema } = loadOxenWire.loaded() ?? (await loadOxenWire());
  const body = await encodeOxenBody(plan, { mode: 'edit' });
  // The edit's deadline is not taken off this timeout: the call's signal aborts at the deadline. A
  // timeout of the time left would be a different length for every request, and a timer of a new
  // length costs the runtime a timer list of its own.
  const editOnce = async (): Promise<OxenEditResponse> => {
    try {
      const response = await call.http.request({
        method: 'POST',
        path: OXEN_PATHS.imageEdit,
        json: body,
        schema: oxenEditResponseSchema,
        signal: call.signal,
        timeoutMs,
      });
      return response.data;
    } catch (error) {
      throw refineOxenError(error);
    }
  };
  let responses: OxenEditResponse[];
  let failures: unknown[] = [];
  if (call.request.n === 1) {
    responses = [await editOnce()];
  } else {
    const attempts = await Promise.allSettled(Array.from({ length: call.request.n }, editOnce));
    responses = attempts
      .filter(
        (attempt): attempt is PromiseFulfilledResult<OxenEditResponse> => attempt.status === 'fulfilled',
      )
      .map((attempt) => attempt.value);
    failures = attempts
      .filter((attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected')
      .map((attempt) => attempt.reason as unknown);
  }
  if (responses.length === 0) throw failures[0];
  return syncEditOutput({ responses, failures, plan, http: call.http, n: call.request.n });
}

/** A sync edit's result: the images of every answered request, with a warning for the failed ones. */
function syncEditOutput(options: {
  responses: OxenEditResponse[];
  failures: unknown[];
  plan: OxenEditPlan;
  /** The call's client: a later download of a result is paced by the lane too. */
  http: HttpClient;
  n: number;
}): ProviderEditOutput {
  const { responses, failures, plan } = options;
  const warnings: EditWarning[] = [];
  if (failures.length > 0) {
    warnings.push({
      type: 'other',
      message: `${failures.length} of ${options.n} edit requests failed (${errorMessage(failures[0])}); the result holds the other ${responses.length}`,
    });
  }
  const images = responses.flatMap((response) =>
    response.images.map((item, index) => {
      if (item.url === undefined && item.b64_json === undefined) {
        throw new InvalidResponseError({
          message: 'oxen: an output image has neither url nor b64_json',
          provider: PROVIDER,
          path: `images.${index}`,
        });
      }
      const mediaType = mediaTypeOf(item.url, plan.outputFormat);
      return createGeneratedImage({
        provider: PROVIDER,
        ...(item.url !== undefined ? { url: item.url } : {}),
        ...(item.b64_json !== undefined ? { base64: item.b64_json } : {}),
        ...(mediaType ? { mediaType } : {}),
        http: options.http,
      });
    }),
  );
  const cost = plan.costPerImage
    ? { usd: roundUsd(plan.costPerImage.usd * images.length), source: 'estimated' as const }
    : undefined;
  return {
    images,
    ...(cost ? { cost } : {}),
    warnings,
    raw: responses.length === 1 ? responses[0] : responses,
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
