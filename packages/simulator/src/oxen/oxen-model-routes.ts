import type { RouteDefinitions } from '../shared/route-table.ts';
import { oxenMessageError } from './oxen-errors.ts';
import { findOxenModel, oxenModels, serializeOxenModel } from './oxen-models.ts';

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
