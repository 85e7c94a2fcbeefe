import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { providers, type Schema } from './contract-schemas.ts';
import { documentedEventNames, eventSchema } from './event-stream.ts';

/*
 * What each adapter reads out of an answer, held against the published specs. The traffic check
 * sees the wire, so it cannot see an adapter that reads a field under another name than the one on
 * the wire (it reads `url` where Oxen sends `result_url`, and gets nothing). This check reads the
 * adapters' own response schemas (zod) and event names and asks the contract, field by field,
 * whether the spec describes what they read, and whether it makes it required.
 */

/** Where in the contract one of an adapter's reading schemas is held. */
type ContractPlace =
  | { operation: string; status: string; at?: string[] }
  | { event: string }
  | { eventName: true };

/** One thing an adapter reads: an exported zod schema, a list of keys, or an event name. */
export interface ReadSite {
  /** The adapter's package folder under `packages/`. */
  adapter: 'provider-oxen' | 'provider-edenai';
  /** The export holding what it reads, found in whichever file of the package's `src/` has it. */
  exportName: string;
  place: ContractPlace;
  /** Read fields the contract leaves optional, each with why that is right. */
  optional?: Readonly<Record<string, string>>;
  /** Read fields the contract does not describe, each with why the adapter reads them anyway. */
  tolerated?: Readonly<Record<string, string>>;
}

const EDIT_ITEM = 'either url or b64_json, by response_format / upstream provider (anyOf in the contract)';

/** Every schema an adapter reads an answer with, and where the contract describes that answer. */
export const READ_SITES: readonly ReadSite[] = [
  {
    adapter: 'provider-oxen',
    exportName: 'oxenEditResponseSchema',
    place: { operation: 'POST /api/ai/images/edit', status: '200' },
    optional: {
      model: 'echoed, not needed: the adapter knows its model',
      created: 'a timestamp the adapter does not need',
      'images[].url': EDIT_ITEM,
      'images[].b64_json': EDIT_ITEM,
    },
  },
  {
    adapter: 'provider-oxen',
    exportName: 'oxenEnqueueResponseSchema',
    place: { operation: 'POST /api/ai/queue', status: '200' },
  },
  {
    adapter: 'provider-oxen',
    exportName: 'oxenGenerationStatusSchema',
    place: { operation: 'GET /api/ai/queue/{generation_id}', status: '200' },
  },
  {
    adapter: 'provider-oxen',
    exportName: 'oxenQueueListSchema',
    place: { operation: 'GET /api/ai/queue', status: '200' },
    optional: {
      'generations[].prompt':
        'the published QueueListResponse lists no request params; the prose says a queue row carries them, and a row without its prompt makes a match ambiguous rather than wrong',
    },
    tolerated: {
      'generations[].output_format':
        'read through the same row schema as the history; a request parameter, which the prose says a queue row echoes',
      'generations[].cost':
        'read through the same row schema as the history; the queue rows carry no cost, and the history row of the same generation supplies it',
    },
  },
  {
    adapter: 'provider-oxen',
    exportName: 'oxenGenerationListSchema',
    place: { operation: 'GET /api/ai/generations', status: '200' },
    optional: {
      'generations[].output_format': 'a request parameter, echoed only when it was sent',
    },
  },
  {
    adapter: 'provider-oxen',
    exportName: 'oxenCancelResponseSchema',
    place: { operation: 'DELETE /api/ai/queue/{generation_id}', status: '200' },
  },
  {
    adapter: 'provider-oxen',
    exportName: 'oxenGenerationRecordSchema',
    place: { operation: 'GET /api/ai/generations/{generation_id}', status: '200' },
  },
  {
    adapter: 'provider-oxen',
    exportName: 'oxenModelListSchema',
    place: { operation: 'GET /api/ai/models', status: '200' },
  },
  {
    adapter: 'provider-oxen',
    exportName: 'oxenModelSchema',
    place: { operation: 'GET /api/ai/models/{id}', status: '200' },
    optional: {
      'pricing.cost_per_image': 'per-image models only; grid and token models price otherwise',
      'pricing.cost_per_image_grid': 'grid-priced models only',
      request_schema: 'request_schema or json_request_schema (anyOf in the contract)',
      json_request_schema: 'request_schema or json_request_schema (anyOf in the contract)',
    },
    tolerated: {
      name: "a model's name where an older catalogue gave one; the API's models carry id only, which is read first",
    },
  },
  {
    adapter: 'provider-oxen',
    exportName: 'oxenCompletedEventSchema',
    place: { event: 'media_generation_completed' },
    optional: {
      model: 'not read for a failed generation, which the docs show without it',
      url: 'a succeeded generation only (oneOf in the contract)',
      error: 'a failed generation only (oneOf in the contract)',
    },
  },
  { adapter: 'provider-oxen', exportName: 'OXEN_COMPLETED_EVENT', place: { eventName: true } },
  {
    adapter: 'provider-edenai',
    exportName: 'edenaiImageResponseSchema',
    place: { operation: 'POST /v3/images/edits', status: '200' },
    optional: {
      created: 'a timestamp the adapter does not need',
      usage: 'null for providers that report no tokens',
      'data[].url': EDIT_ITEM,
      'data[].b64_json': EDIT_ITEM,
      'data[].revised_prompt': 'OpenAI-specific, per the document',
    },
  },
  {
    adapter: 'provider-edenai',
    exportName: 'edenaiUploadResponseSchema',
    place: { operation: 'POST /v3/upload', status: '200' },
  },
  {
    adapter: 'provider-edenai',
    exportName: 'edenaiModelListSchema',
    place: { operation: 'GET /v3/images/models', status: '200' },
  },
  {
    adapter: 'provider-edenai',
    exportName: 'edenaiModelSchema',
    place: { operation: 'GET /v3/images/models', status: '200', at: ['data', '[]'] },
    optional: { list_pricing: 'read when pricing has no per-image price' },
  },
  {
    adapter: 'provider-edenai',
    exportName: 'EDENAI_PER_IMAGE_PRICE_KEYS',
    place: { operation: 'GET /v3/images/models', status: '200', at: ['data', '[]', 'pricing'] },
    optional: { output_cost_per_image: 'only models priced per image have one' },
    tolerated: {
      cost_per_image: 'a near spelling read after output_cost_per_image; Eden documents no image price key',
      price_per_image: 'a near spelling read after output_cost_per_image; Eden documents no image price key',
      per_image: 'a near spelling read after output_cost_per_image; Eden documents no image price key',
    },
  },
];

/**
 * Exported zod schemas of the adapters that read no answer of their own, and why: each other
 * exported schema must have its place in {@link READ_SITES}, so a new answer cannot go unchecked.
 */
export const NOT_ANSWERS: Readonly<Record<string, string>> = {
  oxenEditImageSchema: 'an item of oxenEditResponseSchema, read through it',
  oxenJobStatusSchema: 'the status enum inside oxenGenerationStatusSchema',
  oxenListedGenerationSchema: 'a row of oxenQueueListSchema and oxenGenerationListSchema, read through them',
  oxenParameterSchema: "a parameter of a model's request_schema, read through oxenModelSchema",
  oxenRequestSchemaSchema: "a model's request_schema, read through oxenModelSchema",
  oxenPricingSchema: "a model's pricing, read through oxenModelSchema",
  oxenProviderOptionsSchema: "the caller's providerOptions.oxen, not an answer",
  edenaiImageDataItemSchema: 'an item of edenaiImageResponseSchema, read through it',
  edenaiCapabilitiesSchema: "a model's capabilities, read through edenaiModelSchema",
};

/** A zod schema's internals, as far as this walk needs them. */
interface ZodNode {
  _zod: { def: Record<string, unknown> & { type: string } };
}

function isZod(value: unknown): value is ZodNode {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/** The field paths a zod schema reads (`images.[].url`), objects walked through wrappers and unions. */
export function zodReadPaths(schema: ZodNode, prefix: string[] = [], depth = 0): string[][] {
  if (depth > 20) return [prefix];
  const def = schema._zod.def;
  const inner = (key: string) => def[key] as ZodNode;
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, ZodNode>;
      return Object.entries(shape).flatMap(([key, value]) => [
        [...prefix, key],
        ...zodReadPaths(value, [...prefix, key], depth + 1).filter((path) => path.length > prefix.length + 1),
      ]);
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return zodReadPaths(inner('innerType'), prefix, depth + 1);
    case 'pipe':
      return zodReadPaths(inner('in'), prefix, depth + 1);
    case 'lazy':
      return zodReadPaths((def.getter as () => ZodNode)(), prefix, depth + 1);
    case 'array':
      return zodReadPaths(inner('element'), [...prefix, '[]'], depth + 1).filter(
        (path) => path.length > prefix.length + 1,
      );
    case 'union':
      return (def.options as ZodNode[]).flatMap((option) => zodReadPaths(option, prefix, depth + 1));
    default:
      return [];
  }
}

/** What the contract says of one path: described, required at every level, flagged assumed. */
interface Described {
  described: boolean;
  required: boolean;
  assumed: boolean;
}

function branches(schema: Schema): Schema[] {
  const nested = ['anyOf', 'oneOf', 'allOf'].flatMap((key) => (schema[key] as Schema[] | undefined) ?? []);
  return [schema, ...nested.flatMap(branches)];
}

/** Looks a path up in a contract schema. A schema that lists no fields (an open object) describes anything below it. */
export function describe(schema: Schema, path: readonly string[]): Described {
  let node = schema;
  let required = true;
  let assumed = false;
  for (const segment of path) {
    const candidates = branches(node);
    if (segment === '[]') {
      const items = candidates.find((candidate) => candidate.items !== undefined)?.items as
        | Schema
        | undefined;
      if (!items) return { described: opaque(candidates), required, assumed };
      node = items;
      continue;
    }
    const owner = candidates.find((candidate) =>
      Object.hasOwn((candidate.properties as Schema) ?? {}, segment),
    );
    if (!owner) {
      const map = candidates.find((candidate) => typeof candidate.additionalProperties === 'object');
      if (map) {
        node = map.additionalProperties as Schema;
        continue;
      }
      return { described: opaque(candidates), required, assumed };
    }
    node = (owner.properties as Record<string, Schema>)[segment]!;
    assumed ||= 'x-retouch-assumed' in node;
    required &&= candidates.some((candidate) => ((candidate.required as string[]) ?? []).includes(segment));
  }
  return { described: true, required, assumed };
}

/** Whether no branch of a schema names its fields: an open object, whose every key is allowed. */
function opaque(candidates: Schema[]): boolean {
  return candidates.every(
    (candidate) =>
      candidate.properties === undefined &&
      candidate.propertyNames === undefined &&
      candidate.items === undefined &&
      candidate.additionalProperties !== false,
  );
}

/** The exports of an adapter's `src/` files, by name. */
async function adapterExports(adapter: string): Promise<Map<string, { value: unknown; file: string }>> {
  const folder = new URL(`../packages/${adapter}/src/`, import.meta.url);
  const files = (readdirSync(folder, { recursive: true }) as string[]).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
  );
  const found = new Map<string, { value: unknown; file: string }>();
  for (const file of files) {
    const module = (await import(pathToFileURL(fileURLToPath(new URL(file, folder))).href)) as Record<
      string,
      unknown
    >;
    for (const [name, value] of Object.entries(module)) found.set(name, { value, file });
  }
  return found;
}

function placeSchema(place: ContractPlace): { schema: Schema | undefined; where: string } {
  if ('eventName' in place) return { schema: undefined, where: 'GET /api/events' };
  if ('event' in place) {
    return { schema: eventSchema(place.event), where: `GET /api/events event "${place.event}"` };
  }
  const operation = providers
    .map((provider) => provider.operations[place.operation])
    .find((candidate) => candidate !== undefined);
  let schema = operation?.responses[place.status];
  for (const segment of place.at ?? []) {
    if (!schema) break;
    schema =
      segment === '[]' ? (schema.items as Schema) : ((schema.properties as Schema)?.[segment] as Schema);
  }
  return {
    schema,
    where: `${place.operation} ${place.status}${place.at ? ` at ${place.at.join('.')}` : ''}`,
  };
}

/** The heading of every account of what adapters read that the specs do not back. */
export const READS_HEADING =
  "An adapter reads what the providers' published specs do not describe, or leave optional (contract/adapter-reads.ts):";

/** Every departure of what the adapters read from the contract, one line each. */
export async function adapterReadProblems(): Promise<string[]> {
  const problems: string[] = [];
  const exportsOf = new Map<string, Map<string, { value: unknown; file: string }>>();
  for (const adapter of new Set(READ_SITES.map((site) => site.adapter))) {
    exportsOf.set(adapter, await adapterExports(adapter));
  }
  for (const site of READ_SITES) {
    const found = exportsOf.get(site.adapter)!.get(site.exportName);
    const label = `${site.adapter} ${site.exportName}`;
    if (!found) {
      problems.push(
        `${label}: no file of packages/${site.adapter}/src exports it; update contract/adapter-reads.ts`,
      );
      continue;
    }
    problems.push(...siteProblems(site, found.value, label));
  }
  for (const [adapter, exports] of exportsOf) {
    for (const [name, { value, file }] of exports) {
      if (!isZod(value) || NOT_ANSWERS[name] !== undefined) continue;
      if (!READ_SITES.some((site) => site.adapter === adapter && site.exportName === name)) {
        problems.push(
          `${adapter} ${name} (${file}): a schema the contract does not place; add it to READ_SITES or NOT_ANSWERS`,
        );
      }
    }
  }
  return problems;
}

function siteProblems(site: ReadSite, value: unknown, label: string): string[] {
  const { place } = site;
  if ('eventName' in place) {
    return documentedEventNames().includes(value as string)
      ? []
      : [
          `${label} listens for event "${String(value)}"; Oxen documents ${documentedEventNames()
            .map((name) => `"${name}"`)
            .join(', ')}`,
        ];
  }
  const { schema, where } = placeSchema(place);
  if (!schema) return [`${label}: the contract has no ${where}`];
  const paths = isZod(value)
    ? zodReadPaths(value)
    : Array.isArray(value)
      ? (value as string[]).map((key) => [key])
      : undefined;
  if (!paths) return [`${label}: neither a zod schema nor a list of keys`];
  const problems: string[] = [];
  for (const path of paths) {
    const key = path.join('.').replaceAll('.[]', '[]');
    const found = describe(schema, path);
    if (!found.described) {
      if (site.tolerated?.[key] === undefined) {
        problems.push(`${label} reads "${key}", which ${where} does not describe`);
      }
    } else if (!found.required && !found.assumed && site.optional?.[key] === undefined) {
      problems.push(
        `${label} reads "${key}", which ${where} leaves optional: require it in contract/derive (Retouch reads it), or list it as optional here with the reason`,
      );
    }
  }
  return problems;
}
