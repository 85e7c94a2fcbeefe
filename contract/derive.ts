/**
 * Derives the trimmed JSON Schemas of `contract/schemas/` from the providers' published OpenAPI
 * documents, for the operations Retouch uses, and adds what those documents leave to prose (each
 * addition says where it comes from). Tests never run this: they read the derived files, which are
 * committed. Run it again when a provider publishes a new document:
 *
 *   node contract/derive.ts <folder holding edenai-v3-openapi.json and oxen-hub-openapi.json>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Schema = Record<string, unknown>;

const folder = process.argv[2];
if (!folder) {
  console.error(
    'usage: node contract/derive.ts <folder with edenai-v3-openapi.json and oxen-hub-openapi.json>',
  );
  process.exit(2);
}

/** Resolves every `$ref` inline and turns OpenAPI 3.0 `nullable` into JSON Schema, dropping prose keys. */
function trim(schema: unknown, document: Schema, depth = 0): unknown {
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

function requestSchema(document: Schema, method: string, path: string, contentType: string): Schema {
  const body = operation(document, method, path).requestBody as Schema | undefined;
  const content = (body?.content as Record<string, Schema> | undefined)?.[contentType];
  if (!content) throw new Error(`${method} ${path} documents no ${contentType} body`);
  return trim(content.schema, document) as Schema;
}

function responseSchema(document: Schema, method: string, path: string, status: string): Schema {
  const responses = operation(document, method, path).responses as Record<string, Schema>;
  const content = (responses[status]?.content as Record<string, Schema> | undefined)?.['application/json'];
  if (!content) throw new Error(`${method} ${path} documents no JSON ${status} answer`);
  return trim(content.schema, document) as Schema;
}

/** A file part of a multipart body, as the contract checker presents it. */
const multipartFile = (contentType?: string): Schema => ({
  type: 'object',
  required: ['filename', 'contentType', 'size'],
  properties: {
    filename: { type: 'string' },
    contentType: contentType ? { const: contentType } : { type: 'string', pattern: '^image/' },
    size: { type: 'integer', minimum: 1 },
  },
});

// Eden AI ------------------------------------------------------------------------------------------

const eden = JSON.parse(readFileSync(join(folder, 'edenai-v3-openapi.json'), 'utf8')) as Schema;
const edenInfo = eden.info as { title: string; version: string };

const imageEditJson = requestSchema(eden, 'POST', '/v3/images/edits', 'application/json');
// ImageRef's own description: "Exactly one of file_id or image_url must be set".
const exactlyOne = {
  oneOf: [
    { required: ['file_id'], properties: { file_id: { type: 'string' } } },
    { required: ['image_url'], properties: { image_url: { type: 'string' } } },
  ],
};
const properties = imageEditJson.properties as Record<string, Schema>;
const imageRef = (properties.images!.items as Schema) ?? {};
Object.assign(imageRef, exactlyOne, {
  $comment: 'oneOf from ImageRef\'s description: "Exactly one of file_id or image_url must be set".',
});
const maskRef = (properties.mask!.anyOf as Schema[])[0]!;
// The mask's description: "PNG with transparent pixels marking the regions to edit".
Object.assign(maskRef, exactlyOne, {
  $comment:
    'oneOf from ImageRef\'s description; a data: URL must be a PNG, from the mask\'s description ("PNG with transparent pixels marking the regions to edit").',
  properties: {
    ...(maskRef.properties as Schema),
    image_url: { anyOf: [{ type: 'string', not: { pattern: '^data:(?!image/png[;,])' } }, { type: 'null' }] },
  },
});

const imageEditMultipart: Schema = {
  $comment:
    'Not in the OpenAPI document, which gives the application/json body only; from the operation\'s description ("multipart/form-data (OpenAI SDK classic shape: image[] UploadFile, optional mask UploadFile, plus text fields)") and ImageEditJsonBody\'s field rules. Files travel as parts, never by id.',
  type: 'object',
  required: ['model', 'prompt', 'image[]'],
  properties: {
    model: { type: 'string' },
    prompt: { type: 'string', minLength: 1, maxLength: 32000 },
    n: { type: 'integer', minimum: 1, maximum: 10 },
    size: { type: 'string' },
    user: { type: 'string' },
    'image[]': { type: 'array', minItems: 1, maxItems: 16, items: multipartFile() },
    mask: multipartFile('image/png'),
  },
  not: { anyOf: [{ required: ['file_id'] }, { required: ['images'] }, { required: ['image'] }] },
};

const uploadMultipart = requestSchema(eden, 'POST', '/v3/upload', 'multipart/form-data');
(uploadMultipart.properties as Schema).file = multipartFile('');
((uploadMultipart.properties as Schema).file as Schema).properties = {
  filename: { type: 'string' },
  contentType: { type: 'string' },
  size: { type: 'integer', minimum: 1 },
};

const edenErrors: Schema = {
  $comment:
    "Eden AI's error bodies, which the OpenAPI document leaves out but for 422: from Eden's documentation pages (errors, rate limits, credits, the EU endpoint's 451) as summarised in provider-apis.md.",
  anyOf: [
    responseSchema(eden, 'POST', '/v3/upload', '422'),
    {
      type: 'object',
      required: ['detail'],
      properties: { detail: { type: 'string' }, error_code: { type: 'string' } },
    },
    { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
    {
      type: 'object',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['message'],
          properties: { type: { type: 'string' }, message: { type: ['string', 'object'] } },
        },
      },
    },
    {
      type: 'object',
      required: ['detail'],
      properties: {
        detail: { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } },
      },
    },
    { type: 'object', required: ['details'], properties: { details: { type: 'string' } } },
  ],
};

writeFileSync(
  new URL('./schemas/edenai-v3.json', import.meta.url),
  `${JSON.stringify(
    {
      $comment: `Derived by contract/derive.ts from ${edenInfo.title} ${edenInfo.version}, the api-reference/v3-openapi.json published in Eden AI's documentation repository (August 2026), trimmed to the operations Retouch uses. $comment notes mark what comes from Eden's prose instead.`,
      source: {
        document: 'edenai-v3-openapi.json',
        title: edenInfo.title,
        version: edenInfo.version,
        published: '2026-08',
      },
      operations: {
        'POST /v3/images/edits': {
          request: { 'application/json': imageEditJson, 'multipart/form-data': imageEditMultipart },
          responses: { '200': responseSchema(eden, 'POST', '/v3/images/edits', '200') },
        },
        'POST /v3/upload': {
          request: { 'multipart/form-data': uploadMultipart },
          responses: {
            '200': responseSchema(eden, 'POST', '/v3/upload', '200'),
            '422': responseSchema(eden, 'POST', '/v3/upload', '422'),
          },
        },
        'GET /v3/upload': { responses: { '200': responseSchema(eden, 'GET', '/v3/upload', '200') } },
        'POST /v3/upload/delete': {
          request: {
            'application/json': requestSchema(eden, 'POST', '/v3/upload/delete', 'application/json'),
          },
          responses: { '200': responseSchema(eden, 'POST', '/v3/upload/delete', '200') },
        },
        'GET /v3/images/models': {
          responses: { '200': responseSchema(eden, 'GET', '/v3/images/models', '200') },
        },
        'GET /v3/models': { responses: { '200': responseSchema(eden, 'GET', '/v3/models', '200') } },
      },
      errors: edenErrors,
    },
    null,
    2,
  )}\n`,
);

// Oxen.ai ------------------------------------------------------------------------------------------

const oxen = JSON.parse(readFileSync(join(folder, 'oxen-hub-openapi.json'), 'utf8')) as Schema;
const oxenInfo = oxen.info as { title: string; version: string };

const inputImage = {
  anyOf: [
    { type: 'string', minLength: 1 },
    { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
  ],
};
const oxenEdit: Schema = {
  $comment:
    'The OpenAPI document names this body ImageEditRequest {model, prompt, image, mask, n, size}; Oxen\'s prose reference ("Image Editing") and every model page use input_image, response_format, target_namespace and the model\'s own parameters (mask_url, ...), which is what the API takes. This schema follows the prose; model parameters are left open.',
  type: 'object',
  required: ['model', 'prompt', 'input_image'],
  properties: {
    model: { type: 'string', minLength: 1 },
    prompt: { type: 'string' },
    input_image: inputImage,
    response_format: { enum: ['url', 'b64_json'] },
    target_namespace: { type: 'string' },
    mask_url: { type: 'string', minLength: 1 },
  },
};
const queueCreate = requestSchema(oxen, 'POST', '/api/ai/queue', 'application/json');
// The async queue reference: "everything else passed to the model (prompt, input_image, aspect_ratio, ...)".
(queueCreate.properties as Schema).input_image = inputImage;
(queueCreate.properties as Schema).mask_url = { type: 'string', minLength: 1 };
queueCreate.$comment =
  'QueueCreateRequest, plus input_image and mask_url from the async queue reference (model parameters pass through). num_generations: the document allows up to 12, the prose 1-4.';

const oxenErrors: Schema = {
  $comment:
    "Oxen's error bodies: the OpenAPI document says only {type: object}; the two shapes are from Oxen's prose reference (provider-apis.md, Errors).",
  anyOf: [
    {
      type: 'object',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['type'],
          properties: { type: { type: 'string' }, title: { type: 'string' }, detail: { type: 'string' } },
        },
        status: { const: 'error' },
        status_message: { type: 'string' },
      },
    },
    {
      type: 'object',
      required: ['error'],
      properties: {
        error: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
      },
    },
  ],
};

writeFileSync(
  new URL('./schemas/oxen-hub.json', import.meta.url),
  `${JSON.stringify(
    {
      $comment: `Derived by contract/derive.ts from the Oxen.ai Hub OpenAPI document "${oxenInfo.title}" version ${oxenInfo.version} (as mirrored publicly, cross-checked against Oxen's documentation pages), trimmed to the operations Retouch uses. $comment notes mark what comes from Oxen's prose instead.`,
      source: { document: 'oxen-hub-openapi.json', title: oxenInfo.title, version: oxenInfo.version },
      operations: {
        'POST /api/ai/images/edit': {
          request: { 'application/json': oxenEdit },
          responses: { '200': responseSchema(oxen, 'POST', '/api/ai/images/edit', '200') },
        },
        'POST /api/ai/queue': {
          request: { 'application/json': queueCreate },
          responses: { '200': responseSchema(oxen, 'POST', '/api/ai/queue', '200') },
        },
        'GET /api/ai/queue': { responses: { '200': responseSchema(oxen, 'GET', '/api/ai/queue', '200') } },
        'GET /api/ai/queue/{generation_id}': {
          responses: { '200': responseSchema(oxen, 'GET', '/api/ai/queue/{generation_id}', '200') },
        },
        'DELETE /api/ai/queue/{generation_id}': {
          responses: { '200': responseSchema(oxen, 'DELETE', '/api/ai/queue/{generation_id}', '200') },
        },
        'GET /api/ai/generations': {
          responses: { '200': responseSchema(oxen, 'GET', '/api/ai/generations', '200') },
        },
        'GET /api/ai/generations/{generation_id}': {
          responses: { '200': responseSchema(oxen, 'GET', '/api/ai/generations/{generation_id}', '200') },
        },
        'GET /api/ai/models': { responses: { '200': responseSchema(oxen, 'GET', '/api/ai/models', '200') } },
        'GET /api/ai/models/{id}': {
          responses: { '200': responseSchema(oxen, 'GET', '/api/ai/models/{id}', '200') },
        },
      },
      errors: oxenErrors,
    },
    null,
    2,
  )}\n`,
);
console.log('wrote contract/schemas/edenai-v3.json and contract/schemas/oxen-hub.json');
