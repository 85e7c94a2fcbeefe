/**
 * Reading an OpenAPI document into trimmed JSON Schemas, and the few marks `contract/derive.ts` adds
 * on top of what a document says: a field Retouch reads made required, a field the document does not
 * describe flagged as assumed with its source.
 */

/** A JSON Schema (or an OpenAPI document, or any part of one), as plain data. */
export type Schema = Record<string, unknown>;

/** The key that flags a field the published document does not describe; its value names the source. */
export const ASSUMED = 'x-retouch-assumed';

/** Resolves every `$ref` inline and turns OpenAPI 3.0 `nullable` into JSON Schema, dropping prose keys. */
export function trim(schema: unknown, document: Schema, depth = 0): unknown {
  if (depth > 30) throw new Error('schema nests too deep');
  if (Array.isArray(schema)) return schema.map((item) => trim(item, document, depth + 1));
  if (typeof schema !== 'object' || schema === null) return schema;
  const record = schema as Schema;
  if (typeof record.$ref === 'string') {
    const path = record.$ref.replace(/^#\//, '').split('/');
    let target: unknown = document;
    for (const part of path) target = (target as Schema)[part];
    return trim(target, document, depth + 1);
  }
  const result: Schema = {};
  for (const [key, value] of Object.entries(record)) {
    if (['title', 'description', 'example', 'examples', 'x-order'].includes(key)) continue;
    // Files are checked as the parts a multipart body carries (see `multipartFile`).
    if (key === 'format' && value === 'binary') continue;
    if (key === 'properties') {
      result.properties = Object.fromEntries(
        Object.entries(value as Schema).map(([name, property]) => [
          name,
          trim(property, document, depth + 1),
        ]),
      );
      continue;
    }
    result[key] = trim(value, document, depth + 1);
  }
  if (result.nullable === true) {
    delete result.nullable;
    return { anyOf: [result, { type: 'null' }] };
  }
  delete result.nullable;
  return result;
}

function operation(document: Schema, method: string, path: string): Schema {
  const item = (document.paths as Record<string, Record<string, Schema>>)[path]?.[method.toLowerCase()];
  if (!item) throw new Error(`${method} ${path} is not in the document`);
  return item;
}

/** The trimmed schema of an operation's request body of one content type. */
export function requestSchema(document: Schema, method: string, path: string, contentType: string): Schema {
  const body = operation(document, method, path).requestBody as Schema | undefined;
  const content = (body?.content as Record<string, Schema> | undefined)?.[contentType];
  if (!content) throw new Error(`${method} ${path} documents no ${contentType} body`);
  return trim(content.schema, document) as Schema;
}

/** The trimmed schema of an operation's JSON answer of one status. */
export function responseSchema(document: Schema, method: string, path: string, status: string): Schema {
  const responses = operation(document, method, path).responses as Record<string, Schema>;
  const content = (responses[status]?.content as Record<string, Schema> | undefined)?.['application/json'];
  if (!content) throw new Error(`${method} ${path} documents no JSON ${status} answer`);
  return trim(content.schema, document) as Schema;
}

/** The object schema at a path of property names (`items` for an array's items), failing loudly when absent. */
export function at(schema: Schema, ...path: string[]): Schema {
  let target: Schema = schema;
  for (const part of path) {
    const next =
      part === 'items'
        ? (target.items as Schema | undefined)
        : (target.properties as Schema | undefined)?.[part];
    if (next === undefined) throw new Error(`no "${path.join('.')}" in the schema (at "${part}")`);
    target = next as Schema;
  }
  return target;
}

/**
 * Marks fields the document describes as required, because Retouch reads them: renamed on both the
 * adapter's side and the simulator's, they would otherwise pass as merely absent.
 */
export function requireRead(schema: Schema, fields: readonly string[]): void {
  const properties = (schema.properties ?? {}) as Schema;
  for (const field of fields) {
    if (!(field in properties))
      throw new Error(`"${field}" is not described here: flag it as assumed instead`);
  }
  const required = new Set([...((schema.required as string[] | undefined) ?? []), ...fields]);
  schema.required = [...required];
}

/**
 * Adds a field the document does not describe, flagged with where Retouch learned of it. With
 * `required`, a field Retouch reads: a rename on both sides then fails.
 */
export function assume(
  schema: Schema,
  field: string,
  options: { schema: Schema; source: string; required?: boolean },
): void {
  schema.properties ??= {};
  const properties = schema.properties as Schema;
  if (field in properties) throw new Error(`"${field}" is described by the document: do not assume it`);
  properties[field] = { ...options.schema, [ASSUMED]: options.source };
  if (options.required) schema.required = [...((schema.required as string[] | undefined) ?? []), field];
}

/** A file part of a multipart body, as the contract checker presents it (`contract/exchange-body.ts`). */
export function multipartFile(options: { contentType?: Schema; alpha?: boolean } = {}): Schema {
  return {
    type: 'object',
    required: ['filename', 'contentType', 'size', ...(options.alpha ? ['alpha'] : [])],
    properties: {
      filename: { type: 'string' },
      contentType: { type: 'string', ...options.contentType },
      size: { type: 'integer', minimum: 1 },
      ...(options.alpha ? { alpha: { const: true } } : {}),
    },
  };
}

/**
 * JSON Schema's `if`/`then`: built from entries, since an object literal with a `then` key reads as
 * a promise to the linter (and to `await`).
 */
export function ifThen(options: { comment: string; condition: Schema; consequence: Schema }): Schema {
  return Object.fromEntries([
    ['$comment', options.comment],
    ['if', options.condition],
    ['then', options.consequence],
  ]);
}
