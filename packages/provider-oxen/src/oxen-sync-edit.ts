import { type Cost, type EditWarning, InvalidResponseError, roundUsd } from '@retouch/core';
import {
  createGeneratedImage,
  type HttpClient,
  type ProviderCall,
  type ProviderEditOutput,
} from '@retouch/core/provider-utils';
import { loadOxenWire, OXEN_PATHS, type OxenEditResponse, type OxenListedGeneration } from './oxen-api.ts';
import { encodeOxenBody, type OxenEditPlan } from './oxen-edit-plan.ts';
import { failedGenerationError, refineOxenError } from './oxen-error.ts';
import { mediaTypeOf } from './oxen-job-status.ts';
import { costUsdOf } from './oxen-records.ts';
import { isAmbiguousSend, notRecovered, recoveredWarning, recoverLostRequest } from './oxen-recovery.ts';

/** The provider id. */
const PROVIDER = 'oxen';

/**
 * Runs a prepared edit in sync mode. Oxen's edit endpoint makes one image per request (its `n` is in
 * the older OpenAPI fragment only), so `n` images are `n` blocking `POST /api/ai/images/edit`, each
 * waiting for room in the lane's window on its own; the result holds the images of those that
 * succeeded, and fails only when none did. A request whose answer was lost after Oxen may have taken
 * it (see `oxen-recovery.ts`) is looked up in Oxen's generation history and its image taken from
 * there, never sent again.
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
      checkImages(response.data);
      return response.data;
    } catch (error) {
      throw refineOxenError(error);
    }
  };
  const sentAt = Date.now();
  const attempts = await Promise.allSettled(Array.from({ length: call.request.n }, editOnce));
  const responses = attempts
    .filter((attempt): attempt is PromiseFulfilledResult<OxenEditResponse> => attempt.status === 'fulfilled')
    .map((attempt) => attempt.value);
  const failures: unknown[] = [];
  const recovered: OxenListedGeneration[] = [];
  const lostErrors: unknown[] = [];
  for (const attempt of attempts) {
    if (attempt.status === 'fulfilled') continue;
    const error: unknown = attempt.reason;
    if (!isAmbiguousSend({ error, signal: call.signal })) {
      failures.push(error);
      continue;
    }
    // Oxen may have made the image: its records say, where sending the edit again could bill it twice.
    const answeredUrls = new Set(responses.flatMap((response) => response.images.map((image) => image.url)));
    try {
      const [row] = await recoverLostRequest({
        http: call.http,
        error,
        lost: { body, count: 1, sentAt },
        exclude: (candidate) =>
          recovered.some((earlier) => earlier.generation_id === candidate.generation_id) ||
          (typeof candidate.result_url === 'string' && answeredUrls.has(candidate.result_url)),
        signal: call.signal,
      });
      recovered.push(finishedRow({ row: row!, error, modelId: plan.modelId }));
      lostErrors.push(error);
    } catch (notFound) {
      failures.push(notFound);
    }
  }
  if (responses.length === 0 && recovered.length === 0) throw failures[0];
  return syncEditOutput({
    responses,
    recovered,
    warnings:
      lostErrors.length > 0
        ? [
            recoveredWarning({
              error: lostErrors[0],
              generationIds: recovered.map((row) => row.generation_id),
            }),
          ]
        : [],
    failures,
    plan,
    http: call.http,
    n: call.request.n,
  });
}

/**
 * A recovered sync generation, once Oxen finished it: a failed one fails as Oxen reported it, and one
 * still running fails as possibly billed (a sync edit has no job to follow).
 */
function finishedRow(options: {
  row: OxenListedGeneration;
  error: unknown;
  modelId: string;
}): OxenListedGeneration {
  const { row } = options;
  if (row.status === 'succeeded' && typeof row.result_url === 'string') return row;
  if (row.status === 'failed') {
    throw failedGenerationError({
      generationId: row.generation_id,
      providerMessage: row.error_message ?? undefined,
      modelId: options.modelId,
    });
  }
  throw notRecovered(options.error, {
    reason: `generation ${row.generation_id} is ${row.status} on Oxen, and a sync edit has no job to follow`,
  });
}

/** A sync edit's result: the images of every answered or recovered request, with a warning for the failed ones. */
function syncEditOutput(options: {
  responses: OxenEditResponse[];
  /** Generations found in Oxen's records after their answer was lost, each succeeded with a result URL. */
  recovered: OxenListedGeneration[];
  warnings: EditWarning[];
  failures: unknown[];
  plan: OxenEditPlan;
  /** The call's client: a later download of a result is paced by the lane too. */
  http: HttpClient;
  n: number;
}): ProviderEditOutput {
  const { responses, recovered, failures, plan } = options;
  const warnings: EditWarning[] = [...options.warnings];
  const made = responses.length + recovered.length;
  if (failures.length > 0) {
    warnings.push({
      type: 'other',
      message: `${failures.length} of ${options.n} edit requests failed (${errorMessage(failures[0])}); the result holds the other ${made}`,
    });
  }
  const answered = responses.flatMap((response) =>
    response.images.map((item) => ({ url: item.url, base64: item.b64_json })),
  );
  const found = recovered.map((row) => ({ url: row.result_url ?? undefined, base64: undefined }));
  const images = [...answered, ...found].map((item) => {
    const mediaType = mediaTypeOf(item.url, plan.outputFormat);
    return createGeneratedImage({
      provider: PROVIDER,
      ...(item.url !== undefined ? { url: item.url } : {}),
      ...(item.base64 !== undefined ? { base64: item.base64 } : {}),
      ...(mediaType ? { mediaType } : {}),
      http: options.http,
    });
  });
  return {
    images,
    ...syncCost({ plan, recovered, answeredCount: answered.length }),
    warnings,
    raw: responses.length === 1 && recovered.length === 0 ? responses[0] : { responses, recovered },
  };
}

/**
 * What a sync edit cost: what Oxen billed when every image came from its records with a cost, else
 * the model's price for each image.
 */
function syncCost(options: {
  plan: OxenEditPlan;
  recovered: readonly OxenListedGeneration[];
  answeredCount: number;
}): { cost?: Cost } {
  const { plan, recovered } = options;
  const billed = recovered.map((row) => costUsdOf(row.cost));
  if (options.answeredCount === 0 && billed.every((usd) => usd !== undefined)) {
    return { cost: { usd: roundUsd(billed.reduce((sum, usd) => sum + usd!, 0)), source: 'reported' } };
  }
  const count = options.answeredCount + recovered.length;
  return plan.costPerImage
    ? { cost: { usd: roundUsd(plan.costPerImage.usd * count), source: 'estimated' } }
    : {};
}

/**
 * Refuses an answer with an image that has neither `url` nor `b64_json`: an answer off its schema
 * to a request Oxen took, whose image is then looked up in Oxen's records.
 */
function checkImages(response: OxenEditResponse): void {
  const index = response.images.findIndex((item) => item.url === undefined && item.b64_json === undefined);
  if (index === -1) return;
  throw new InvalidResponseError({
    message: 'oxen: an output image has neither url nor b64_json',
    provider: PROVIDER,
    path: `images.${index}`,
  });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
