import { InvalidRequestError, type RequestIssue } from '@retouch/core';

/** Header names Eden refuses in `extra_headers` (and that must never leave this process that way). */
const CREDENTIAL_HEADER = /authorization|api[-_]?key|token|secret|cookie|credential|password/i;

/** Body fields the neutral request owns: set them with `images`, `mask` and `n` instead. */
const RESERVED_FIELDS: Readonly<Record<string, string>> = {
  model: 'set the model with the request\'s "model": "edenai:provider/model"',
  prompt: 'set the prompt with the request\'s "prompt"',
  images: 'pass input images with the request\'s "images"',
  image: 'pass input images with the request\'s "images"',
  'image[]': 'pass input images with the request\'s "images"',
  mask: 'pass the mask with the request\'s "mask"',
  n: 'set the number of outputs with the request\'s "n"',
};

/**
 * Eden AI options of one edit, under `providerOptions.edenai`: Eden's own body fields, and any other
 * field, forwarded as is to the upstream model (Eden passes unknown keys through). A field given
 * here overrides the one Retouch derives from a neutral option (e.g. `size: '2K'` where the neutral
 * `size` only takes `WxH`). In a multipart body, objects are sent as JSON text.
 *
 * @example
 * await retouch.edit({
 *   model: 'edenai:openai/gpt-image-2',
 *   prompt: 'Put the product on a white background',
 *   images: [{ path: 'product.jpg' }],
 *   providerOptions: { edenai: { user: 'customer-42', background: 'opaque', input_fidelity: 'high' } },
 * });
 */
export interface EdenAIEditOptions {
  /** End-user identifier, for Eden's and the upstream provider's abuse tracking. */
  user?: string;
  /** Arbitrary metadata attached to the request. */
  metadata?: Record<string, unknown> | null;
  /**
   * Headers Eden forwards to the upstream provider's API. Credential headers (`Authorization`,
   * `x-api-key`, ...) are refused before anything is sent.
   */
  extra_headers?: Record<string, string>;
  /** Any other field goes to the upstream model, e.g. `background`, `input_fidelity`, `output_compression`. */
  [field: string]: unknown;
}

/**
 * Validates `providerOptions.edenai`, naming each bad field with its path. Unknown fields are the
 * point (they reach the upstream model), so only Eden's own fields are checked.
 */
export function parseEdenAIEditOptions(value: Readonly<Record<string, unknown>>): EdenAIEditOptions {
  const issues: RequestIssue[] = [];
  const fail = (path: string[], message: string) => issues.push({ path: optionPath(path), message });
  if (value.user !== undefined && typeof value.user !== 'string') {
    fail(['user'], 'user must be a string identifying the end user');
  }
  if (value.metadata !== undefined && value.metadata !== null && !isRecord(value.metadata)) {
    fail(['metadata'], 'metadata must be an object of arbitrary values');
  }
  const headers = value.extra_headers;
  if (headers !== undefined) {
    if (!isRecord(headers)) {
      fail(['extra_headers'], 'extra_headers must be an object of header names to string values');
    } else {
      for (const [name, header] of Object.entries(headers)) {
        if (CREDENTIAL_HEADER.test(name)) {
          fail(
            ['extra_headers', name],
            `"${name}" carries credentials, which Eden AI refuses to forward; remove it (Eden uses its own provider keys, or the ones set in your Eden account)`,
          );
        } else if (typeof header !== 'string') {
          fail(['extra_headers', name], 'a header value must be a string');
        }
      }
    }
  }
  for (const key of Object.keys(value)) {
    const reason = RESERVED_FIELDS[key];
    if (reason) fail([key], `"${key}" cannot be set here; ${reason}`);
  }
  if (issues.length > 0) throw new InvalidRequestError({ issues });
  return value as EdenAIEditOptions;
}

function optionPath(path: string[]): string {
  return ['providerOptions', 'edenai', ...path].join('.');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
