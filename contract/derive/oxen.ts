/**
 * Oxen.ai's part of the contract: trimmed from the Hub OpenAPI document, with the prose reference's
 * request fields where the document contradicts it, the fields Retouch reads made required, and the
 * bodies Retouch writes refusing the OpenAI-shaped names the prose replaced.
 */
import { assume, at, requestSchema, requireRead, responseSchema, type Schema } from './openapi.ts';

const inputImage: Schema = {
  anyOf: [
    { type: 'string', minLength: 1 },
    { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
  ],
};

/**
 * The names of the OpenAPI fragment's `ImageEditRequest` (`image`, `mask`, `n`, `size`) that Oxen's
 * prose reference and model pages replace by `input_image`, `mask_url`, `num_generations` and the
 * model's `resolution`: a body carrying one is speaking the contradicted shape.
 */
const REPLACED_NAMES: Schema = {
  $comment:
    "provider-apis.md, contradiction 1: the OpenAPI fragment's image, mask, n and size are input_image, mask_url, num_generations and the model's own resolution in the prose reference and every model page.",
  properties: Object.fromEntries(['image', 'mask', 'n', 'size'].map((name) => [name, false])),
};

function editRequest(): Schema {
  return {
    $comment:
      'The OpenAPI document names this body ImageEditRequest {model, prompt, image, mask, n, size}; Oxen\'s prose reference ("Image Editing") and every model page use input_image, response_format, target_namespace and the model\'s own parameters (mask_url, ...), which is what the API takes. This schema follows the prose; other model parameters pass through to the model.',
    type: 'object',
    required: ['model', 'prompt', 'input_image'],
    properties: {
      model: { type: 'string', minLength: 1 },
      prompt: { type: 'string' },
      input_image: inputImage,
      response_format: { enum: ['url', 'b64_json'] },
      target_namespace: { type: 'string', minLength: 1 },
      mask_url: { type: 'string', minLength: 1 },
    },
    allOf: [REPLACED_NAMES],
  };
}

function queueRequest(document: Schema): Schema {
  const body = requestSchema(document, 'POST', '/api/ai/queue', 'application/json');
  const properties = body.properties as Schema;
  properties.input_image = inputImage;
  properties.mask_url = { type: 'string', minLength: 1 };
  properties.num_generations = { ...(properties.num_generations as Schema), maximum: 4 };
  body.required = [...((body.required as string[]) ?? []), 'input_image'];
  body.allOf = [REPLACED_NAMES];
  body.$comment =
    "QueueCreateRequest, plus input_image and mask_url from the async queue reference (model parameters pass through to the model). input_image is required here because Retouch's edits always carry the canvas. num_generations: the document allows up to 12, the prose 1-4, which Retouch follows.";
  return body;
}

function editResponse(document: Schema): Schema {
  const response = responseSchema(document, 'POST', '/api/ai/images/edit', '200');
  requireRead(response, ['images']);
  const images = at(response, 'images');
  images.minItems = 1;
  const item = at(response, 'images', 'items');
  assume(item, 'b64_json', {
    schema: { type: 'string', minLength: 1 },
    source: 'the prose reference: with response_format "b64_json" the items hold b64_json instead of url',
  });
  item.anyOf = [{ required: ['url'] }, { required: ['b64_json'] }];
  return response;
}

/** A queue row: the fields Retouch reads are required; the row also echoes the request's parameters. */
function generationRow(row: Schema): void {
  requireRead(row, ['result_url', 'error_message', 'started_at', 'completed_at']);
  assume(row, 'output_format', {
    schema: {},
    source:
      'the async queue reference: a row carries "the original request parameters", output_format among them when it was sent',
  });
}

/** The request parameter Retouch matches a listed row on, beside its model and enqueue time. */
function echoedPrompt(row: Schema, options: { required: boolean; source: string }): void {
  assume(row, 'prompt', { schema: { anyOf: [{ type: 'string' }, { type: 'null' }] }, ...options });
}

/**
 * `GET /api/ai/queue`: the active rows (or those of an explicit `status`), which Retouch searches for
 * a generation whose enqueue answer was lost. The document lists no request parameters in its rows;
 * the prose says a queue row carries them, so `prompt` is read when it is there.
 */
function queueListResponse(document: Schema): Schema {
  const response = responseSchema(document, 'GET', '/api/ai/queue', '200');
  const row = at(response, 'generations', 'items');
  requireRead(row, ['result_url', 'error_message', 'completed_at']);
  echoedPrompt(row, {
    required: false,
    source:
      'the async queue reference: a queue row carries "the original request parameters"; the published QueueListResponse does not list them',
  });
  return response;
}

/**
 * `GET /api/ai/generations`: the history Retouch searches for a lost answer and reads billed costs
 * from. The document says each row carries the request's parameters merged in at the top level
 * (`prompt`, ...), which Retouch always sends, so `prompt` is required.
 */
function generationListResponse(document: Schema): Schema {
  const response = responseSchema(document, 'GET', '/api/ai/generations', '200');
  const row = at(response, 'generations', 'items');
  requireRead(row, ['cost', 'result_url', 'error_message', 'completed_at']);
  echoedPrompt(row, {
    required: true,
    source:
      'GenerationsListResponse\'s description: "Each row carries any additional request params (prompt, duration, etc.) merged in at the top level"',
  });
  assume(row, 'output_format', {
    schema: {},
    source: "GenerationsListResponse's description: the request params are merged into each row",
  });
  return response;
}

function statusResponse(document: Schema): Schema {
  const response = responseSchema(document, 'GET', '/api/ai/queue/{generation_id}', '200');
  generationRow(response);
  return response;
}

function generationRecord(document: Schema): Schema {
  const response = responseSchema(document, 'GET', '/api/ai/generations/{generation_id}', '200');
  requireRead(at(response, 'generation'), ['cost']);
  return response;
}

/** A `Model`: what Retouch reads required, `pricing` closed to the keys the document lists. */
function model(schema: Schema): void {
  requireRead(schema, ['display_name', 'description', 'capabilities', 'pricing']);
  requireRead(at(schema, 'capabilities'), ['input', 'output']);
  const pricing = at(schema, 'pricing');
  requireRead(pricing, ['method']);
  pricing.additionalProperties = false;
  pricing.$comment =
    'Closed: the document lists every pricing key, and Retouch reads them, so a renamed key fails.';
  assume(schema, 'json_request_schema', {
    schema: { anyOf: [{ type: 'object' }, { type: 'null' }] },
    source:
      'the per-model pages call the parameter schema json_request_schema (the API reference: request_schema)',
  });
  schema.anyOf = [{ required: ['request_schema'] }, { required: ['json_request_schema'] }];
}

function modelResponses(document: Schema): { list: Schema; one: Schema } {
  const list = responseSchema(document, 'GET', '/api/ai/models', '200');
  model(at(list, 'data', 'items'));
  const one = responseSchema(document, 'GET', '/api/ai/models/{id}', '200');
  model(one);
  return { list, one };
}

const errors: Schema = {
  $comment:
    "Oxen's error bodies: the OpenAPI document says only {type: object}; the two shapes are from Oxen's prose reference (provider-apis.md, Errors).",
  anyOf: [
    {
      type: 'object',
      required: ['error', 'status', 'status_message'],
      properties: {
        error: {
          type: 'object',
          required: ['type', 'title', 'detail'],
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
        error: {
          type: 'object',
          required: ['message'],
          properties: { message: { type: 'string' } },
          additionalProperties: false,
        },
      },
    },
  ],
};

/** Oxen.ai's operations, as `contract/schemas/oxen-hub.json` holds them. */
export function oxenContract(document: Schema): Schema {
  const info = document.info as { title: string; version: string };
  const models = modelResponses(document);
  return {
    $comment: `Derived by contract/derive.ts from the Oxen.ai Hub OpenAPI document "${info.title}" version ${info.version} (as mirrored publicly, cross-checked against Oxen's documentation pages), trimmed to the operations Retouch uses. $comment notes mark what comes from Oxen's prose instead, and x-retouch-assumed flags each field the document does not describe, with its source.`,
    source: { document: 'oxen-hub-openapi.json', title: info.title, version: info.version },
    operations: {
      'POST /api/ai/images/edit': {
        request: { 'application/json': editRequest() },
        responses: { '200': editResponse(document) },
      },
      'POST /api/ai/queue': {
        request: { 'application/json': queueRequest(document) },
        responses: { '200': responseSchema(document, 'POST', '/api/ai/queue', '200') },
      },
      'GET /api/ai/queue': { responses: { '200': queueListResponse(document) } },
      'GET /api/ai/queue/{generation_id}': { responses: { '200': statusResponse(document) } },
      'DELETE /api/ai/queue/{generation_id}': {
        responses: { '200': responseSchema(document, 'DELETE', '/api/ai/queue/{generation_id}', '200') },
      },
      'GET /api/ai/generations': { responses: { '200': generationListResponse(document) } },
      'GET /api/ai/generations/{generation_id}': { responses: { '200': generationRecord(document) } },
      'GET /api/ai/models': { responses: { '200': models.list } },
      'GET /api/ai/models/{id}': { responses: { '200': models.one } },
    },
    errors,
  };
}
