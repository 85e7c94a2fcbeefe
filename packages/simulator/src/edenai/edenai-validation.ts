import { isRecord } from '../shared/values.ts';
import type { EdenAIValidationDetail } from './edenai-errors.ts';

/** Keeps huge inputs (data URLs) out of error bodies, as a log-friendly server would. */
function shortInput(value: unknown): unknown {
  if (typeof value === 'string' && value.length > 200) return `${value.slice(0, 200)}...`;
  return value;
}

const credentialHeaders = new Set(['authorization', 'x-api-key', 'api-key', 'proxy-authorization', 'cookie']);

function validateImageRef(options: { value: unknown; loc: (string | number)[] }): EdenAIValidationDetail[] {
  const { value, loc } = options;
  if (!isRecord(value)) {
    return [
      {
        type: 'model_attributes_type',
        loc,
        msg: 'Input should be a valid dictionary or object to extract fields from',
        input: shortInput(value),
      },
    ];
  }
  const problems: EdenAIValidationDetail[] = [];
  for (const key of Object.keys(value)) {
    if (key !== 'file_id' && key !== 'image_url') {
      problems.push({
        type: 'extra_forbidden',
        loc: [...loc, key],
        msg: 'Extra inputs are not permitted',
        input: shortInput(value[key]),
      });
    }
  }
  for (const key of ['file_id', 'image_url']) {
    const field = value[key];
    if (field !== undefined && field !== null && typeof field !== 'string') {
      problems.push({
        type: 'string_type',
        loc: [...loc, key],
        msg: 'Input should be a valid string',
        input: field,
      });
    }
  }
  const hasFile = typeof value.file_id === 'string';
  const hasUrl = typeof value.image_url === 'string';
  if (problems.length === 0 && hasFile === hasUrl) {
    problems.push({
      type: 'value_error',
      loc,
      msg: 'Value error, Exactly one of file_id or image_url must be set',
      input: { file_id: shortInput(value.file_id ?? null), image_url: shortInput(value.image_url ?? null) },
      ctx: { error: 'Exactly one of file_id or image_url must be set' },
    });
  }
  return problems;
}

function validateImageUrl(options: {
  url: string;
  loc: (string | number)[];
  model: string;
  loopbackAllowed: boolean;
}): EdenAIValidationDetail | undefined {
  const { url, loc } = options;
  if (url.startsWith('data:')) {
    if (!/^data:image\/[\w.+-]+;base64,/.test(url)) {
      return {
        type: 'value_error',
        loc,
        msg: 'Value error, data URLs must be base64-encoded images (data:image/...;base64,...)',
        input: shortInput(url),
      };
    }
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return {
      type: 'url_parsing',
      loc,
      msg: 'Input should be a valid URL, relative URL without a base',
      input: shortInput(url),
    };
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback && options.loopbackAllowed)) {
    return { type: 'url_scheme', loc, msg: "URL scheme should be 'https'", input: shortInput(url) };
  }
  if (options.model.startsWith('openai/gpt-image-')) {
    return {
      type: 'value_error',
      loc,
      msg: `Value error, ${options.model} does not accept remote image URLs; send a data: URL or a file_id`,
      input: shortInput(url),
    };
  }
  return undefined;
}

/** The validated pieces of an edit request, whichever content type carried it. */
export interface EdenAIEditFields {
  model: string;
  prompt: string;
  n: number;
  size: string | undefined;
}

/**
 * Reports a required string field that is missing (`missing`) or not a string (`string_type`), as
 * Pydantic words them; returns the string when it is one.
 */
function requiredString(options: {
  body: Record<string, unknown>;
  field: string;
  problems: EdenAIValidationDetail[];
}): string | undefined {
  const value = options.body[options.field];
  if (value === undefined) {
    options.problems.push({
      type: 'missing',
      loc: ['body', options.field],
      msg: 'Field required',
      input: null,
    });
    return undefined;
  }
  if (typeof value !== 'string') {
    options.problems.push({
      type: 'string_type',
      loc: ['body', options.field],
      msg: 'Input should be a valid string',
      input: value,
    });
    return undefined;
  }
  return value;
}

function validateCommonFields(options: {
  body: Record<string, unknown>;
  problems: EdenAIValidationDetail[];
  fromForm: boolean;
}): void {
  const { body, problems } = options;
  requiredString({ body, field: 'model', problems });
  const prompt = requiredString({ body, field: 'prompt', problems });
  if (prompt !== undefined && prompt.length < 1) {
    problems.push({
      type: 'string_too_short',
      loc: ['body', 'prompt'],
      msg: 'String should have at least 1 character',
      input: prompt,
      ctx: { min_length: 1 },
    });
  } else if (prompt !== undefined && prompt.length > 32000) {
    problems.push({
      type: 'string_too_long',
      loc: ['body', 'prompt'],
      msg: 'String should have at most 32000 characters',
      input: shortInput(prompt),
      ctx: { max_length: 32000 },
    });
  }
  let n = body.n;
  if (options.fromForm && typeof n === 'string' && /^-?\d+$/.test(n.trim())) n = Number(n);
  if (n !== undefined && n !== null) {
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      problems.push({
        type: 'int_parsing',
        loc: ['body', 'n'],
        msg: 'Input should be a valid integer',
        input: n,
      });
    } else if (n < 1) {
      problems.push({
        type: 'greater_than_equal',
        loc: ['body', 'n'],
        msg: 'Input should be greater than or equal to 1',
        input: n,
        ctx: { ge: 1 },
      });
    } else if (n > 10) {
      problems.push({
        type: 'less_than_equal',
        loc: ['body', 'n'],
        msg: 'Input should be less than or equal to 10',
        input: n,
        ctx: { le: 10 },
      });
    }
  }
  if (body.size !== undefined && body.size !== null && typeof body.size !== 'string') {
    problems.push({
      type: 'string_type',
      loc: ['body', 'size'],
      msg: 'Input should be a valid string',
      input: body.size,
    });
  }
}

function fields(body: Record<string, unknown>): EdenAIEditFields {
  const n = typeof body.n === 'string' ? Number(body.n) : body.n;
  return {
    model: String(body.model),
    prompt: String(body.prompt),
    n: typeof n === 'number' ? n : 1,
    size: typeof body.size === 'string' ? body.size : undefined,
  };
}

/** Validates a JSON edit body the way Eden AI's pydantic model does, collecting every problem. */
export function validateEdenAIJsonEdit(options: {
  body: unknown;
  loopbackAllowed: boolean;
}): { ok: true; fields: EdenAIEditFields } | { ok: false; detail: EdenAIValidationDetail[] } {
  const { body } = options;
  if (!isRecord(body)) {
    return {
      ok: false,
      detail: [
        {
          type: 'model_attributes_type',
          loc: ['body'],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: shortInput(body),
        },
      ],
    };
  }
  const problems: EdenAIValidationDetail[] = [];
  validateCommonFields({ body, problems, fromForm: false });
  if (body.images === undefined) {
    problems.push({ type: 'missing', loc: ['body', 'images'], msg: 'Field required', input: null });
  } else if (!Array.isArray(body.images)) {
    problems.push({
      type: 'list_type',
      loc: ['body', 'images'],
      msg: 'Input should be a valid list',
      input: shortInput(body.images),
    });
  } else if (body.images.length < 1) {
    problems.push({
      type: 'too_short',
      loc: ['body', 'images'],
      msg: 'List should have at least 1 item after validation, not 0',
      input: [],
      ctx: { field_type: 'List', min_length: 1, actual_length: 0 },
    });
  } else if (body.images.length > 16) {
    problems.push({
      type: 'too_long',
      loc: ['body', 'images'],
      msg: `List should have at most 16 items after validation, not ${body.images.length}`,
      ctx: { field_type: 'List', max_length: 16, actual_length: body.images.length },
    });
  } else {
    body.images.forEach((value, index) => {
      problems.push(...validateImageRef({ value, loc: ['body', 'images', index] }));
    });
  }
  if (body.mask !== undefined && body.mask !== null) {
    problems.push(...validateImageRef({ value: body.mask, loc: ['body', 'mask'] }));
  }
  if (body.extra_headers !== undefined && body.extra_headers !== null) {
    if (!isRecord(body.extra_headers)) {
      problems.push({
        type: 'dict_type',
        loc: ['body', 'extra_headers'],
        msg: 'Input should be a valid dictionary',
        input: body.extra_headers,
      });
    } else {
      for (const name of Object.keys(body.extra_headers)) {
        if (credentialHeaders.has(name.toLowerCase())) {
          problems.push({
            type: 'value_error',
            loc: ['body', 'extra_headers'],
            msg: `Value error, Credential header '${name}' is not allowed in extra_headers`,
            ctx: { error: `Credential header '${name}' is not allowed in extra_headers` },
          });
        }
      }
    }
  }
  if (body.metadata !== undefined && body.metadata !== null && !isRecord(body.metadata)) {
    problems.push({
      type: 'dict_type',
      loc: ['body', 'metadata'],
      msg: 'Input should be a valid dictionary',
      input: body.metadata,
    });
  }
  // URL checks come after the shape checks, as pydantic runs the model validator last.
  if (problems.length === 0 && typeof body.model === 'string') {
    const refs: [unknown, (string | number)[]][] = (body.images as unknown[]).map((value, index) => [
      value,
      ['body', 'images', index],
    ]);
    if (isRecord(body.mask)) refs.push([body.mask, ['body', 'mask']]);
    for (const [ref, loc] of refs) {
      const url = (ref as Record<string, unknown>).image_url;
      if (typeof url !== 'string') continue;
      const problem = validateImageUrl({
        url,
        loc: [...loc, 'image_url'],
        model: body.model,
        loopbackAllowed: options.loopbackAllowed,
      });
      if (problem !== undefined) problems.push(problem);
    }
  }
  if (problems.length > 0) return { ok: false, detail: problems };
  return { ok: true, fields: fields(body) };
}

/** Validates the text fields and file parts of a multipart edit. */
export function validateEdenAIMultipartEdit(options: {
  fields: Record<string, string | string[]>;
  imageCount: number;
}): { ok: true; fields: EdenAIEditFields } | { ok: false; detail: EdenAIValidationDetail[] } {
  const single: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options.fields))
    single[key] = Array.isArray(value) ? value.at(-1) : value;
  const problems: EdenAIValidationDetail[] = [];
  validateCommonFields({ body: single, problems, fromForm: true });
  if (options.imageCount === 0) {
    problems.push({ type: 'missing', loc: ['body', 'image[]'], msg: 'Field required', input: null });
  } else if (options.imageCount > 16) {
    problems.push({
      type: 'too_long',
      loc: ['body', 'image[]'],
      msg: `List should have at most 16 items after validation, not ${options.imageCount}`,
      ctx: { field_type: 'List', max_length: 16, actual_length: options.imageCount },
    });
  }
  if (problems.length > 0) return { ok: false, detail: problems };
  return { ok: true, fields: fields(single) };
}
