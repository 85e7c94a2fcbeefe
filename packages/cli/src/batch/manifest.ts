import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type EditRequest, InvalidRequestError } from '@retouch/core';
import { normalizeEditRequest } from '@retouch/core/provider-utils';
import { describeError } from '../describe-error.ts';
import { isBundledProvider, PROVIDERS, providerOf } from '../provider-ids.ts';
import { UsageError } from '../usage-error.ts';

/** One edit of a manifest. */
export interface ManifestLine {
  /** Its line number in the file, from 1. */
  line: number;
  /**
   * The line's identity in the journal and the queue: a hash of its content (the JSON with its keys
   * sorted, so spacing and key order do not count), with `.2`, `.3`, ... for repeats of an identical
   * line. A changed line is a new edit; an unchanged one keeps its key wherever it moves.
   */
  key: string;
  /** A hash of the line's text as journals of earlier versions recorded it. */
  hash: string;
  /** The request, images resolved against the manifest's directory. */
  request: EditRequest;
}

/** A manifest line that cannot be sent as it stands, with what is wrong and how to fix it. */
export interface InvalidManifestLine {
  /** Its line number in the file, from 1. */
  line: number;
  /** The model the line names, as written (empty when it names none). */
  model: string;
  /** The line's prompt, as written (empty when it has none). */
  prompt: string;
  /** Each problem, `file:line: field: what is wrong and the fix`. */
  problems: string[];
}

/** A checked manifest. */
export interface Manifest {
  /** Its absolute path. */
  path: string;
  /** Its edits that passed the checks, in file order (blank lines skipped). */
  lines: ManifestLine[];
  /** The lines that did not, in file order: a batch refuses them all, or skips them with `--skip-invalid`. */
  invalid: InvalidManifestLine[];
}

/**
 * Reads a JSONL manifest (one `EditRequest` a line) and checks every line as `retouch.edit()` would,
 * before anything is sent: a line with a problem goes to `invalid`, each problem named by file,
 * line, field and fix. Image paths (`{ "path" }`, or a string that is not a URL) are relative to the
 * manifest. Only a missing or empty manifest throws.
 *
 * @example
 * const manifest = await loadManifest({ path: 'catalogue.jsonl', cwd: process.cwd() });
 */
export async function loadManifest(options: { path: string; cwd: string }): Promise<Manifest> {
  const path = resolve(options.cwd, options.path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError({ command: 'batch', message: `${options.path}: no such file` });
  }
  const directory = dirname(path);
  const lines: ManifestLine[] = [];
  const seen = new Map<string, number>();
  const invalid: InvalidManifestLine[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const source = raw.trim();
    if (source === '') continue;
    const line = index + 1;
    const where = `${options.path}:${line}`;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      invalid.push(
        invalidLine({
          line,
          value: undefined,
          problems: [`${where}: not valid JSON (${describeError(error).message})`],
        }),
      );
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      invalid.push(
        invalidLine({
          line,
          value: undefined,
          problems: [
            `${where}: each line must be one edit request, a JSON object { "model", "prompt", "images" }`,
          ],
        }),
      );
      continue;
    }
    const request = resolveImages({ request: value as Record<string, unknown>, directory });
    const model = typeof request.model === 'string' ? request.model : '';
    const provider = providerOf(model);
    try {
      await normalizeEditRequest(request);
      if (model.includes(':') && !isBundledProvider(provider)) {
        invalid.push(
          invalidLine({
            line,
            value,
            problems: [
              `${where}: model: unknown provider "${provider}"; the providers are ${PROVIDERS.join(' and ')}`,
            ],
          }),
        );
        continue;
      }
    } catch (error) {
      if (!InvalidRequestError.isInstance(error)) throw error;
      invalid.push(
        invalidLine({
          line,
          value,
          problems: error.issues.map(
            (issue) => `${where}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`,
          ),
        }),
      );
      continue;
    }
    const content = createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
    const repeat = (seen.get(content) ?? 0) + 1;
    seen.set(content, repeat);
    lines.push({
      line,
      key: repeat === 1 ? content : `${content}.${repeat}`,
      hash: createHash('sha256').update(source).digest('hex').slice(0, 16),
      request: request as EditRequest,
    });
  }
  if (lines.length === 0 && invalid.length === 0) {
    throw new UsageError({
      command: 'batch',
      message: `${options.path} holds no edits: write one JSON edit request a line, e.g. {"model":"oxen:qwen-image-edit","prompt":"Add a hat","images":["cat.png"]}`,
    });
  }
  return { path, lines, invalid };
}

function invalidLine(options: { line: number; value: unknown; problems: string[] }): InvalidManifestLine {
  const { model, prompt } = (options.value ?? {}) as { model?: unknown; prompt?: unknown };
  return {
    line: options.line,
    model: typeof model === 'string' ? model : '',
    prompt: typeof prompt === 'string' ? prompt : '',
    problems: options.problems,
  };
}

/** JSON with every object's keys sorted: the same request however it was spaced or ordered. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Paths in `images` and `mask` are relative to the manifest; a string that is not a URL is a path. */
function resolveImages(options: {
  request: Record<string, unknown>;
  directory: string;
}): Record<string, unknown> {
  const resolveOne = (image: unknown): unknown => {
    if (typeof image === 'string') {
      return /^(https?:\/\/|data:)/i.test(image.trim())
        ? image
        : { path: resolvePath(image, options.directory) };
    }
    if (
      typeof image === 'object' &&
      image !== null &&
      typeof (image as { path?: unknown }).path === 'string'
    ) {
      return { ...image, path: resolvePath((image as { path: string }).path, options.directory) };
    }
    return image;
  };
  const request = { ...options.request };
  if (Array.isArray(request.images)) request.images = request.images.map(resolveOne);
  if (request.mask !== undefined) request.mask = resolveOne(request.mask);
  return request;
}

function resolvePath(path: string, directory: string): string {
  return isAbsolute(path) ? path : resolve(directory, path);
}
