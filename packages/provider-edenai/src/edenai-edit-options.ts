import { InvalidRequestError, type RequestIssue } from '@retouch/core';

/**
 * How an edit's body is encoded:
 * - `json`: `application/json` with `images: [{ image_url } | { file_id }]`; local inputs become
 *   uploads or `data:` URLs;
 * - `multipart`: `multipart/form-data` with one `image[]` file part per input (streamed from disk),
 *   a `mask` part and text fields;
 * - `auto`: multipart when an input is local bytes or a file, JSON when every input is a URL or an
 *   Eden file (including inputs the upload cache already holds).
 */
export type EdenAITransport = 'auto' | 'json' | 'multipart';

/**
 * When local inputs are uploaded with `POST /v3/upload` and referenced by `file_id`:
 * - `never`: never; local inputs travel in the edit request itself;
 * - `auto`: an input of at least 256 KiB is uploaded when its content was already sent to this
 *   account by this process (a second model, a retry) or when the body is JSON anyway; uploads are
 *   cached by content hash, so one picture sent to ten models is uploaded once;
 * - `always`: every local input (up to Eden's 100 MB upload limit) is uploaded and sent by `file_id`.
 */
export type EdenAIUploadMode = 'never' | 'auto' | 'always';

/** Every {@link EdenAITransport}, for checking settings and requests. */
export const TRANSPORTS: readonly EdenAITransport[] = ['auto', 'json', 'multipart'];
/** Every {@link EdenAIUploadMode}, for checking settings and requests. */
export const UPLOAD_MODES: readonly EdenAIUploadMode[] = ['never', 'auto', 'always'];

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
 * Eden AI options of one edit, under `providerOptions.edenai`: `transport` and `upload`, which steer
 * the adapter for this request and are never sent; Eden's own body fields; and any other field,
 * forwarded as is to the upstream model (Eden passes unknown keys through). A field given
 * here overrides the one Retouch derives from a neutral option (e.g. `size: '2K'` where the neutral
 * `size` only takes `WxH`). Object fields (`metadata`, `extra_headers`) travel in a JSON body only: with
 * transport `auto` they make the edit's body JSON; with `multipart` they are not sent, with a warning.
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
  /**
   * How this edit's body is encoded, overriding `createEdenAI({ transport })`. Not sent to Eden.
   * @example { edenai: { transport: 'multipart' } } // stream the local picture as a file part
   */
  transport?: EdenAITransport;
  /**
   * Which local inputs of this edit are uploaded first and sent by `file_id`, overriding
   * `createEdenAI({ upload })`. `always` needs a JSON body: with transport `multipart` (this
   * request's or the provider's) it is refused. Not sent to Eden.
   */
  upload?: EdenAIUploadMode;
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

/** `providerOptions.edenai` split into the adapter's own settings and the body fields to send. */
export interface ParsedEdenAIEditOptions {
  /** The request's `transport`, when it set one. */
  transport?: EdenAITransport;
  /** The request's `upload`, when it set one. */
  upload?: EdenAIUploadMode;
  /** Every other key: body fields for Eden and the upstream model. */
  fields: Record<string, unknown>;
}

/**
 * Validates `providerOptions.edenai`, naming each bad field with its path, and takes out the keys
 * that steer the adapter. Unknown fields are the point (they reach the upstream model), so only
 * Eden's own fields are checked.
 */
export function parseEdenAIEditOptions(value: Readonly<Record<string, unknown>>): ParsedEdenAIEditOptions {
  const issues: RequestIssue[] = [];
  const fail = (path: string[], message: string) => issues.push({ path: optionPath(path), message });
  const { transport, upload, ...fields } = value;
  if (transport !== undefined && !TRANSPORTS.includes(transport as EdenAITransport)) {
    fail(
      ['transport'],
      `transport must be "auto", "json" or "multipart", not ${JSON.stringify(transport)}; omit it to use the provider's (createEdenAI({ transport }))`,
    );
  }
  if (upload !== undefined && !UPLOAD_MODES.includes(upload as EdenAIUploadMode)) {
    fail(
      ['upload'],
      `upload must be "never", "auto" or "always", not ${JSON.stringify(upload)}; omit it to use the provider's (createEdenAI({ upload }))`,
    );
  }
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
  return {
    ...(transport !== undefined ? { transport: transport as EdenAITransport } : {}),
    ...(upload !== undefined ? { upload: upload as EdenAIUploadMode } : {}),
    fields,
  };
}

/**
 * The transport and upload mode of one edit: the request's `providerOptions.edenai` (parsed by
 * {@link parseEdenAIEditOptions}) over the provider's settings. Throws `InvalidRequestError`, before
 * anything is sent, for `upload: 'always'` with `transport: 'multipart'` (a file id travels only in JSON).
 *
 * @example
 * resolveEdenAIDelivery({ requested, defaults: { transport: 'multipart', upload: 'auto' } });
 * // { transport: 'json', upload: 'always' } for providerOptions.edenai { transport: 'json', upload: 'always' }
 */
export function resolveEdenAIDelivery(options: {
  requested: ParsedEdenAIEditOptions;
  defaults: { transport: EdenAITransport; upload: EdenAIUploadMode };
}): { transport: EdenAITransport; upload: EdenAIUploadMode } {
  const { requested } = options;
  const transport = requested.transport ?? options.defaults.transport;
  const upload = requested.upload ?? options.defaults.upload;
  if (upload === 'always' && transport === 'multipart') {
    const field = requested.upload !== undefined ? 'upload' : 'transport';
    const origin = (name: 'transport' | 'upload') =>
      requested[name] !== undefined ? "this request's" : "the provider's";
    throw new InvalidRequestError({
      issues: [
        {
          path: optionPath([field]),
          message: `upload "always" (${origin('upload')}) sends inputs by file_id, which only a JSON body carries, but transport is "multipart" (${origin('transport')}); set providerOptions.edenai.transport to "json" or "auto", or providerOptions.edenai.upload to "auto" or "never"`,
        },
      ],
    });
  }
  return { transport, upload };
}

function optionPath(path: string[]): string {
  return ['providerOptions', 'edenai', ...path].join('.');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
