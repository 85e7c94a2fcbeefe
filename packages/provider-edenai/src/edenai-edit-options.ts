import { InvalidRequestError, type RequestIssue } from '@retouch/core';
import { z } from 'zod';

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
 * Zod schema of `providerOptions.edenai`: Eden's own body fields (`user`, `metadata`,
 * `extra_headers`) and any other field, forwarded as is to the upstream model (Eden passes
 * unknown keys through), e.g. `background`, `input_fidelity` or `output_compression` for
 * `openai/gpt-image-*`. A field given here overrides the one Retouch derives from a neutral option.
 */
export const edenaiEditOptionsSchema = z.looseObject({
  user: z.string({ error: 'user must be a string identifying the end user' }).optional(),
  metadata: z
    .record(z.string(), z.unknown(), { error: 'metadata must be an object of arbitrary values' })
    .nullable()
    .optional(),
  extra_headers: z
    .record(z.string(), z.string(), {
      error: 'extra_headers must be an object of header names to string values',
    })
    .optional(),
});

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

/** Validates `providerOptions.edenai`, naming each bad field with its path. */
export function parseEdenAIEditOptions(value: Readonly<Record<string, unknown>>): EdenAIEditOptions {
  const parsed = edenaiEditOptionsSchema.safeParse(value);
  const issues: RequestIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        path: optionPath(issue.path.map(String)),
        message: issue.message,
      }));
  // Checked on the raw value so every problem is reported at once, whatever the schema found.
  const headers = value.extra_headers;
  if (typeof headers === 'object' && headers !== null) {
    for (const name of Object.keys(headers)) {
      if (CREDENTIAL_HEADER.test(name)) {
        issues.push({
          path: optionPath(['extra_headers', name]),
          message: `"${name}" carries credentials, which Eden AI refuses to forward; remove it (Eden uses its own provider keys, or the ones set in your Eden account)`,
        });
      }
    }
  }
  for (const key of Object.keys(value)) {
    const reason = RESERVED_FIELDS[key];
    if (reason) issues.push({ path: optionPath([key]), message: `"${key}" cannot be set here; ${reason}` });
  }
  if (issues.length > 0 || !parsed.success) throw new InvalidRequestError({ issues });
  return parsed.data;
}

function optionPath(path: string[]): string {
  return ['providerOptions', 'edenai', ...path].join('.');
}
