/**
 * Eden AI's part of the contract: trimmed from the published `v3-openapi.json`, closed where Retouch
 * writes, with the fields Retouch reads made required. Each addition says where it comes from.
 */
import {
  ASSUMED,
  assume,
  at,
  ifThen,
  multipartFile,
  requestSchema,
  requireRead,
  responseSchema,
  type Schema,
} from './openapi.ts';

/**
 * Body fields Eden's edit schema does not list but takes ("additionalProperties: true": extra keys
 * are forwarded to the upstream model), and which Retouch sends, each with where it is documented.
 */
const FORWARDED_FIELDS: Readonly<Record<string, { schema: Schema; source: string }>> = {
  quality: {
    schema: { type: 'string' },
    source:
      'ImageGenerationBody.quality in the same document ("Provider-specific quality string"); the edit body forwards extra keys',
  },
  output_format: {
    schema: { type: 'string' },
    source: "OpenAI's image edit parameter output_format (png, jpeg, webp), forwarded by Eden",
  },
  seed: { schema: { type: 'integer' }, source: "Vertex Imagen's seed parameter, forwarded by Eden" },
  negative_prompt: {
    schema: { type: 'string' },
    source: "Vertex Imagen's negativePrompt parameter, forwarded by Eden",
  },
  aspect_ratio: {
    schema: { type: 'string' },
    source: 'the upstream field of models Retouch has no rule for (FLUX Kontext), forwarded by Eden',
  },
  guidance: { schema: { type: 'number' }, source: "FLUX Kontext's guidance parameter, forwarded by Eden" },
  background: {
    schema: { type: 'string' },
    source: "OpenAI's gpt-image edit parameter background, passed through providerOptions.edenai",
  },
  input_fidelity: {
    schema: { type: 'string' },
    source: "OpenAI's gpt-image edit parameter input_fidelity, passed through providerOptions.edenai",
  },
  output_compression: {
    schema: { type: 'integer' },
    source: "OpenAI's gpt-image edit parameter output_compression, passed through providerOptions.edenai",
  },
};

/** The `size` rules the edit schema's own `size` description gives per provider, and Eden's Gemini example. */
const SIZE_RULES: Schema[] = [
  ifThen({
    comment: "ImageEditJsonBody.size: \"OpenAI accepts '1024x1024', '1536x1024', '1024x1536', 'auto'\".",
    condition: {
      required: ['model'],
      properties: { model: { type: 'string', pattern: '^openai/gpt-image-' } },
    },
    consequence: { properties: { size: { enum: ['1024x1024', '1536x1024', '1024x1536', 'auto', null] } } },
  }),
  ifThen({
    comment:
      'ImageEditJsonBody.size: only "Vertex Imagen accepts square or aspect-ratio strings"; Eden\'s Gemini edit example sends "size": "1024x1024". A Gemini size is pixels.',
    condition: {
      required: ['model'],
      properties: { model: { type: 'string', pattern: '^google/(?!imagen)' } },
    },
    consequence: {
      properties: { size: { anyOf: [{ type: 'string', pattern: '^(\\d+x\\d+|auto)$' }, { type: 'null' }] } },
    },
  }),
];

/**
 * `ImageRef`: the document's closed object, with the rule of its description ("Exactly one of
 * file_id or image_url must be set") and of `images`' ("https URL or base64 data URL").
 */
function imageRef(documented: Schema, options: { mask: boolean }): Schema {
  const url = options.mask
    ? {
        type: 'string',
        pattern: '^(https://|data:image/png;base64,)',
        format: 'png-data-url-with-alpha',
        $comment:
          'The mask\'s description: "PNG with transparent pixels marking the regions to edit"; a data: URL is read and must carry transparency.',
      }
    : { type: 'string', pattern: '^(https://|data:image/[\\w.+-]+;base64,)' };
  return {
    ...documented,
    $comment:
      'ImageRef, with its description\'s rule ("Exactly one of file_id or image_url") and image_url\'s ("an https URL or a data:image/...;base64,... URL").',
    properties: { file_id: { type: 'string', minLength: 1 }, image_url: url },
    oneOf: [{ required: ['file_id'] }, { required: ['image_url'] }],
  };
}

function editJson(document: Schema): Schema {
  const body = requestSchema(document, 'POST', '/v3/images/edits', 'application/json');
  const properties = body.properties as Record<string, Schema>;
  const documentedRef = (properties.images!.items as Schema) ?? {};
  properties.images = { ...properties.images, items: imageRef(documentedRef, { mask: false }) };
  properties.mask = { anyOf: [imageRef(documentedRef, { mask: true }), { type: 'null' }] };
  for (const [field, { schema, source }] of Object.entries(FORWARDED_FIELDS))
    assume(body, field, { schema, source });
  body.additionalProperties = false;
  body.allOf = SIZE_RULES;
  body.$comment =
    'ImageEditJsonBody, closed to the documented fields and the forwarded ones Retouch sends (each flagged x-retouch-assumed): the document allows extra keys, so a renamed field would otherwise pass as one.';
  return body;
}

function editMultipart(json: Schema): Schema {
  const jsonProperties = json.properties as Record<string, Schema>;
  const text = Object.fromEntries(
    Object.entries(jsonProperties)
      .filter(([field]) => !['images', 'mask', 'metadata', 'extra_headers'].includes(field))
      .map(([field, schema]) => [field, schema]),
  );
  return {
    $comment:
      'Not in the OpenAPI document, which gives the application/json body only; from the operation\'s description ("multipart/form-data (OpenAI SDK classic shape: image[] UploadFile, optional mask UploadFile, plus text fields)") and ImageEditJsonBody\'s field rules. Files travel as parts, never by id; metadata and extra_headers are objects, documented for the JSON body only.',
    type: 'object',
    required: ['model', 'prompt', 'image[]'],
    properties: {
      ...text,
      'image[]': {
        type: 'array',
        minItems: 1,
        maxItems: 16,
        items: multipartFile({ contentType: { pattern: '^image/' } }),
      },
      mask: {
        ...multipartFile({ contentType: { const: 'image/png' }, alpha: true }),
        $comment: 'The mask\'s description: "PNG with transparent pixels marking the regions to edit".',
      },
    },
    additionalProperties: false,
    allOf: SIZE_RULES,
  };
}

function editResponse(document: Schema): Schema {
  const response = responseSchema(document, 'POST', '/v3/images/edits', '200');
  requireRead(response, ['data', 'cost', 'provider']);
  assume(response, 'output_format', {
    schema: { type: 'string' },
    source: 'Eden\'s image edit response example ("output_format":"png"), read to label the images\' type',
    required: true,
  });
  const item = at(response, 'data', 'items');
  item.anyOf = [
    { required: ['url'], properties: { url: { type: 'string' } } },
    { required: ['b64_json'], properties: { b64_json: { type: 'string' } } },
  ];
  item.$comment = 'ImageDataItem\'s description: "Providers return either url ... or b64_json".';
  return response;
}

/** The keys Retouch reads in a `ModelObject`'s open `pricing` objects, the object closed to them. */
function pricing(): Schema {
  return {
    type: 'object',
    $comment:
      'An open object in the document, whose image price keys are not documented; closed here to the keys Retouch reads or knows, so a renamed price key fails.',
    propertyNames: { enum: ['input_cost_per_token', 'output_cost_per_token', 'output_cost_per_image'] },
    properties: {
      input_cost_per_token: {
        type: 'number',
        [ASSUMED]: "Eden's LLM model pages (per-token prices); not read for image edits",
      },
      output_cost_per_token: {
        type: 'number',
        [ASSUMED]: "Eden's LLM model pages (per-token prices); not read for image edits",
      },
      output_cost_per_image: {
        type: 'number',
        [ASSUMED]:
          'the per-image price, spelled after the documented per-token keys; Eden\'s model pages publish per-image prices ("$0.039 per image")',
      },
    },
  };
}

function modelList(document: Schema, path: string): Schema {
  const list = responseSchema(document, 'GET', path, '200');
  const model = at(list, 'data', 'items');
  const capabilities = at(model, 'capabilities');
  assume(capabilities, 'input_modalities', {
    schema: { type: 'array', items: { type: 'string' } },
    source: 'Eden\'s docs show capabilities as {"input_modalities":[...],"output_modalities":[...]}',
    required: true,
  });
  assume(capabilities, 'output_modalities', {
    schema: { type: 'array', items: { type: 'string' } },
    source: 'Eden\'s docs show capabilities as {"input_modalities":[...],"output_modalities":[...]}',
    required: true,
  });
  requireRead(model, ['capabilities', 'pricing', 'description']);
  const properties = model.properties as Schema;
  properties.pricing = pricing();
  properties.list_pricing = pricing();
  return list;
}

function uploadRequest(document: Schema): Schema {
  const upload = requestSchema(document, 'POST', '/v3/upload', 'multipart/form-data');
  (upload.properties as Schema).file = multipartFile();
  upload.additionalProperties = false;
  upload.$comment =
    'Body_upload_file_v3_upload_post, closed: the upload form has exactly these fields (file, expires_in_days, purpose).';
  return upload;
}

/** The documented 422 body, with the fields Retouch reads out of it required. */
function validationError(document: Schema): Schema {
  const body = responseSchema(document, 'POST', '/v3/upload', '422');
  requireRead(body, ['detail']);
  return body;
}

function errors(document: Schema): Schema {
  return {
    $comment:
      "Eden AI's error bodies, which the OpenAPI document leaves out but for 422: from Eden's documentation pages (errors, rate limits, credits, the EU endpoint's 451) as summarised in provider-apis.md.",
    anyOf: [
      validationError(document),
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
          detail: {
            type: 'object',
            properties: { error: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
      { type: 'object', required: ['details'], properties: { details: { type: 'string' } } },
    ],
  };
}

/** Eden AI's operations, as `contract/schemas/edenai-v3.json` holds them. */
export function edenaiContract(document: Schema): Schema {
  const info = document.info as { title: string; version: string };
  const json = editJson(document);
  return {
    $comment: `Derived by contract/derive.ts from ${info.title} ${info.version}, the api-reference/v3-openapi.json published in Eden AI's documentation repository (August 2026), trimmed to the operations Retouch uses. $comment notes mark what comes from Eden's prose instead, and ${ASSUMED} flags each field the document does not describe, with its source.`,
    source: {
      document: 'edenai-v3-openapi.json',
      title: info.title,
      version: info.version,
      published: '2026-08',
    },
    operations: {
      'POST /v3/images/edits': {
        request: { 'application/json': json, 'multipart/form-data': editMultipart(json) },
        responses: { '200': editResponse(document) },
      },
      'POST /v3/upload': {
        request: { 'multipart/form-data': uploadRequest(document) },
        responses: {
          '200': (() => {
            const response = responseSchema(document, 'POST', '/v3/upload', '200');
            requireRead(response, ['expires_at']);
            return response;
          })(),
          '422': validationError(document),
        },
      },
      'GET /v3/upload': { responses: { '200': responseSchema(document, 'GET', '/v3/upload', '200') } },
      'POST /v3/upload/delete': {
        request: {
          'application/json': requestSchema(document, 'POST', '/v3/upload/delete', 'application/json'),
        },
        responses: { '200': responseSchema(document, 'POST', '/v3/upload/delete', '200') },
      },
      'GET /v3/images/models': { responses: { '200': modelList(document, '/v3/images/models') } },
      'GET /v3/models': { responses: { '200': modelList(document, '/v3/models') } },
    },
    errors: errors(document),
  };
}
