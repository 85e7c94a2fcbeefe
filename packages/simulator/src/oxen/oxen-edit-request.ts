import type { RouteContext, RouteResult } from '../shared/route.ts';
import { isRecord } from '../shared/values.ts';
import { oxenInvalidParams, oxenMessageError } from './oxen-errors.ts';
import { findOxenModel, type OxenModel } from './oxen-models.ts';

/**
 * The JSON object an edit or an enqueue sends, or Oxen's answer to a body that is not one. Tell the two
 * apart with `isRouteResult`.
 */
export function oxenJsonBody(context: RouteContext): Record<string, unknown> | RouteResult {
  const { body } = context;
  if (body.type === 'invalid-json') return oxenInvalidParams(`Malformed JSON body: ${body.message}`);
  if (body.type !== 'json' || !isRecord(body.value))
    return oxenInvalidParams('Request body must be a JSON object');
  return body.value;
}

/** The image model a request names, or Oxen's answer when it names none, an unknown one, or a chat model. */
export function resolveOxenModel(body: Record<string, unknown>): OxenModel | RouteResult {
  if (typeof body.model !== 'string' || body.model === '') return oxenInvalidParams('model is required');
  const model = findOxenModel(body.model);
  if (model === undefined)
    return oxenMessageError({ status: 404, message: `Model not found: ${body.model}` });
  if (!model.capabilities.output.includes('image')) {
    return oxenInvalidParams(`Model ${model.name} does not produce images`);
  }
  return model;
}

/** The request's model parameters: everything but `model` and `num_generations`. */
export function oxenModelParameters(body: Record<string, unknown>): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body))
    if (key !== 'model' && key !== 'num_generations') parameters[key] = value;
  return parameters;
}

/** The namespace billed: the request's `target_namespace`, or the account's own. */
export function oxenTargetNamespace(options: {
  body: Record<string, unknown>;
  defaultNamespace: string;
}): string {
  const { body } = options;
  return typeof body.target_namespace === 'string' ? body.target_namespace : options.defaultNamespace;
}
