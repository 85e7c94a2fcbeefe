import type { RouteDefinitions } from '../shared/route-table.ts';
import { type EdenAIModel, edenAIModels, serializeEdenAIModel } from './edenai-models.ts';

/**
 * `GET /v3/models` (public) and `GET /v3/images/models`: the catalogue, or its image models, as served in
 * the simulated region.
 */
export function edenAIModelRoutes(options: { inRegion: (model: EdenAIModel) => boolean }): RouteDefinitions {
  const { inRegion } = options;
  return {
    'GET /v3/models': {
      public: true,
      handle: () => ({
        status: 200,
        json: { object: 'list', data: edenAIModels.filter(inRegion).map(serializeEdenAIModel) },
      }),
    },
    'GET /v3/images/models': () => ({
      status: 200,
      json: {
        object: 'list',
        data: edenAIModels
          .filter((model) => inRegion(model) && model.outputModalities.includes('image'))
          .map(serializeEdenAIModel),
      },
    }),
  };
}
