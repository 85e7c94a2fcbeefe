import type { RouteDefinitions } from '../shared/route-table.ts';
import { oxenMessageError } from './oxen-errors.ts';
import { findOxenModel, type OxenModel, oxenModels } from './oxen-models.ts';

/**
 * The `Model` object as Oxen's API serves it (`GET /api/ai/models` and `/api/ai/models/{id}`): its
 * `id` is the model's name, and its parameter schema is `request_schema`.
 */
export function serializeOxenModel(model: OxenModel) {
  return {
    id: model.name,
    object: 'model',
    created: model.created,
    owned_by: 'oxen',
    display_name: model.display_name,
    description: model.description,
    model_type: 'base',
    capabilities: model.capabilities,
    pricing: model.pricing,
    developer: { name: model.developer_name, logo: null },
    fine_tuning: null,
    deployments: [],
    source_model: null,
    image_url: null,
    released_at: new Date(model.created * 1000).toISOString(),
    request_schema: model.schema,
  };
}

/**
 * `GET /api/ai/models` (filtered by `developer_name`, `provider_name`, `action`) and
 * `GET /api/ai/models/:name`.
 */
export function oxenModelRoutes(): RouteDefinitions {
  return {
    'GET /api/ai/models': (context) => {
      const query = context.url.searchParams;
      const data = oxenModels
        .filter(
          (model) => !query.has('developer_name') || model.developer_name === query.get('developer_name'),
        )
        .filter((model) => !query.has('provider_name') || model.provider_name === query.get('provider_name'))
        .filter((model) => !query.has('action') || model.action === query.get('action'))
        .map(serializeOxenModel);
      return { status: 200, json: { object: 'list', data } };
    },
    'GET /api/ai/models/:name': (context) => {
      const model = findOxenModel(context.params.name!);
      if (model === undefined)
        return oxenMessageError({ status: 404, message: `Model not found: ${context.params.name}` });
      return { status: 200, json: serializeOxenModel(model) };
    },
  };
}
