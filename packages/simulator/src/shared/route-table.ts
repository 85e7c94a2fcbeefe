import type { RouteDefinition, RouteHandler } from './route.ts';

/** The methods the simulated APIs use. */
export type RouteMethod = 'GET' | 'POST' | 'DELETE';

/**
 * A route's name: its method and path pattern, `:name` matching one non-empty segment, e.g.
 * `'GET /api/ai/queue/:id'`. Recordings and fault rules name routes the same way.
 */
export type RouteKey = `${RouteMethod} /${string}`;

/**
 * Routes by name: a handler alone, or a handler with its settings.
 *
 * @example
 * const routes: RouteDefinitions = {
 *   'GET /v3/models': { public: true, handle: () => ({ status: 200, json: { object: 'list', data: [] } }) },
 *   'DELETE /api/ai/queue/:id': (context) => cancel(context.params.id!),
 * };
 */
export type RouteDefinitions = { [key in RouteKey]?: RouteHandler | RouteDefinition };

/** A route found for a request. */
export interface MatchedRoute {
  /** The route's name, as in {@link RouteKey}. */
  key: RouteKey;
  /** Its handler and settings. */
  route: RouteDefinition;
  /** The path's `:name` segments, decoded. */
  params: Record<string, string>;
}

interface CompiledRoute {
  key: RouteKey;
  method: string;
  segments: string[];
  route: RouteDefinition;
}

const keyPattern = /^(GET|POST|DELETE) (\/\S*)$/;

function compile(options: { key: string; definition: RouteHandler | RouteDefinition }): CompiledRoute {
  const parts = keyPattern.exec(options.key);
  if (parts === null) {
    throw new Error(`Route "${options.key}" must be a method and a path, e.g. "GET /api/ai/queue/:id"`);
  }
  const { definition } = options;
  return {
    key: options.key as RouteKey,
    method: parts[1]!,
    segments: parts[2]!.split('/'),
    route: typeof definition === 'function' ? { handle: definition } : definition,
  };
}

function matchSegments(options: { segments: string[]; path: string }): Record<string, string> | undefined {
  const { segments } = options;
  const pathSegments = options.path.split('/');
  if (segments.length !== pathSegments.length) return undefined;
  const params: Record<string, string> = {};
  for (let index = 0; index < segments.length; index++) {
    const expected = segments[index]!;
    const actual = pathSegments[index]!;
    if (expected.startsWith(':')) {
      if (actual === '') return undefined;
      try {
        params[expected.slice(1)] = decodeURIComponent(actual);
      } catch {
        // A segment that does not decode matches no route: the request gets the provider's 404.
        return undefined;
      }
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}

/**
 * A simulator's routes, built from groups (a provider's edits, its queue, its listings, ...) and tried in
 * the order given. A path known under another method matches nothing, so it gets the provider's 404 like
 * an unknown path: the simulated APIs answer no 405.
 *
 * @example
 * const table = new RouteTable([editRoutes, { 'GET /files/:id': { public: true, handle: serveFile } }]);
 * table.match({ method: 'GET', path: '/files/abc.png' }); // { key: 'GET /files/:id', params: { id: 'abc.png' }, ... }
 */
export class RouteTable {
  readonly #routes: CompiledRoute[] = [];

  /** Compiles the groups' routes; a route named twice is a mistake in the simulator, refused at once. */
  constructor(groups: readonly RouteDefinitions[]) {
    const seen = new Set<string>();
    for (const group of groups) {
      for (const [key, definition] of Object.entries(group)) {
        if (definition === undefined) continue;
        if (seen.has(key)) throw new Error(`Route "${key}" is defined twice`);
        seen.add(key);
        this.#routes.push(compile({ key, definition }));
      }
    }
  }

  /** The first route whose method and pattern match, with the path's parameters. */
  match(options: { method: string; path: string }): MatchedRoute | undefined {
    for (const candidate of this.#routes) {
      if (candidate.method !== options.method) continue;
      const params = matchSegments({ segments: candidate.segments, path: options.path });
      if (params !== undefined) return { key: candidate.key, route: candidate.route, params };
    }
    return undefined;
  }
}
