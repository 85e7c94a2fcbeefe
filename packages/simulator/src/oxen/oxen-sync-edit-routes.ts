import type { CreditBalance } from '../shared/credit-balance.ts';
import { ImageDownloadError } from '../shared/image-source.ts';
import { acceptPaidWork } from '../shared/paid-work.ts';
import type { PendingTimers } from '../shared/pending-timers.ts';
import { isRouteResult } from '../shared/route.ts';
import type { RouteDefinitions } from '../shared/route-table.ts';
import { type OxenImageInputs, renderOxenEdit } from './oxen-edit-render.ts';
import {
  oxenJsonBody,
  oxenModelParameters,
  oxenTargetNamespace,
  resolveOxenModel,
} from './oxen-edit-request.ts';
import { oxenError, oxenInvalidParams } from './oxen-errors.ts';
import { oxenImagePrice } from './oxen-pricing.ts';
import { type OxenQueue, unixSeconds } from './oxen-queue.ts';
import { validateOxenParameters } from './oxen-validation.ts';

/** What the synchronous edit route reads, charges and records. */
export interface OxenSyncEditRoutesOptions {
  inputs: OxenImageInputs;
  balance: CreditBalance;
  /** Where the edit is listed among the generations. */
  queue: OxenQueue;
  timers: PendingTimers;
  defaultNamespace: string;
  /** How long an edit takes before it answers. */
  syncEditDelayMs: number;
}

/** `POST /api/ai/images/edit`: one edit, rendered and answered in the same request. */
export function oxenSyncEditRoutes(options: OxenSyncEditRoutesOptions): RouteDefinitions {
  const { balance, queue } = options;
  return {
    'POST /api/ai/images/edit': async (context) => {
      const body = oxenJsonBody(context);
      if (isRouteResult(body)) return body;
      const model = resolveOxenModel(body);
      if (isRouteResult(model)) return model;
      const responseFormat = body.response_format ?? 'url';
      if (responseFormat !== 'url' && responseFormat !== 'b64_json') {
        return oxenInvalidParams(
          `Invalid value for response_format: '${String(responseFormat)}'. Must be one of: url, b64_json`,
        );
      }
      const problem = validateOxenParameters({ model, body });
      if (problem !== undefined) return oxenInvalidParams(problem);
      const parameters = oxenModelParameters(body);
      const price = oxenImagePrice({ model, parameters });
      if (!balance.covers(price)) return oxenInvalidParams('Insufficient credits');
      let png: Buffer;
      try {
        png = await renderOxenEdit({ model, parameters, inputs: options.inputs });
      } catch (error) {
        if (!(error instanceof ImageDownloadError)) throw error;
        return oxenError({
          status: 400,
          type: 'invalid_params',
          title: 'Could not download input image',
          detail: `Error downloading input image: ${error.message}`,
        });
      }
      const namespace = oxenTargetNamespace({ body, defaultNamespace: options.defaultNamespace });
      // A synchronous edit is listed among the generations like a queued one, finished the moment it answers.
      const recordSyncJob = (job: {
        at: number;
        outcome: { status: 'succeeded'; resultUrl: string } | { status: 'failed'; message: string };
      }) => {
        const { outcome } = job;
        queue.record({
          model: model.name,
          prompt: typeof body.prompt === 'string' ? body.prompt : null,
          namespace,
          status: outcome.status,
          resultUrl: outcome.status === 'succeeded' ? outcome.resultUrl : null,
          errorMessage: outcome.status === 'failed' ? outcome.message : null,
          enqueuedAt: job.at,
          startedAt: job.at,
          completedAt: job.at,
          parameters,
          price,
          source: 'sync',
          neverFinishes: false,
          failMessage: outcome.status === 'failed' ? outcome.message : undefined,
          resultMissing: false,
        });
      };
      const refusal = await acceptPaidWork({
        context,
        timers: options.timers,
        delayMs: options.syncEditDelayMs,
        failure: (faultMessage) => {
          const message = faultMessage ?? 'Insufficient credits';
          recordSyncJob({ at: unixSeconds(), outcome: { status: 'failed', message } });
          return oxenError({
            status: 500,
            type: 'unknown_error',
            title: 'Generation failed',
            detail: message,
          });
        },
      });
      if (refusal !== undefined) return refusal;
      const now = unixSeconds();
      balance.chargeIfCovered(price);
      const url = options.inputs.fileStore.put({ bytes: png, missing: context.fault?.kind === 'result-404' });
      recordSyncJob({ at: now, outcome: { status: 'succeeded', resultUrl: url } });
      const image = responseFormat === 'b64_json' ? { b64_json: png.toString('base64') } : { url };
      return { status: 200, json: { model: model.name, created: now, images: [image] } };
    },
  };
}
