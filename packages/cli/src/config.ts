import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { NEUTRAL_EDIT_OPTION_KEYS, type NeutralEditOptions, OUTPUT_FORMAT_ALIASES } from '@retouch/compare';
import { checkLaneLimits } from '@retouch/core';
import { checkEditOption } from '@retouch/core/schemas';
import { checkModelId } from './args/model-id.ts';
import { describeError } from './describe-error.ts';
import { BUDGET_RULE, checkNumber, type NumberRule, REPEAT_RULE, TIMEOUT_RULE } from './number-rules.ts';
import { isBundledProvider, PROVIDER_ID, PROVIDERS, providerOf } from './provider-ids.ts';
import { PROVIDER_MODES } from './session.ts';
import { UsageError } from './usage-error.ts';

/** One model entry of a compare config. */
export interface CompareConfigModel {
  /** `provider:model`. */
  model: string;
  /** The name in the table and the report. */
  label?: string;
  /** Options for the model's provider, e.g. `{ "oxen": { "guidance": 3 } }`. */
  providerOptions?: Record<string, Record<string, unknown>>;
  /** The adapter mode for this model: `sync`, `queue`, `sse` (Oxen) or `auto`, `json`, `multipart` (Eden AI). */
  mode?: string;
}

/** Limits of one provider's lane. */
export interface CompareConfigLimits {
  /** Most edits in flight. */
  concurrency?: number;
  /** Most request starts per second. */
  requestsPerSecond?: number;
}

/**
 * A `retouch compare --config` file. Paths are relative to the file. Flags given on the command line
 * override its values.
 *
 * @example
 * {
 *   "models": ["oxen:qwen-image-edit", { "model": "edenai:openai/gpt-image-2", "label": "gpt-image-2" }],
 *   "prompt": "Replace the sky with a sunset",
 *   "image": "photo.png",
 *   "repeat": 3,
 *   "budgetUsd": 1,
 *   "limits": { "edenai": { "requestsPerSecond": 5 } }
 * }
 *
 * @example
 * // AI SDK models beside the bundled providers, from a module next to the file:
 * { "providers": "./providers.mjs", "models": ["openai:gpt-image-1", "oxen:qwen-image-edit"], "prompt": "...", "image": "photo.png" }
 */
export interface CompareConfig extends NeutralEditOptions {
  /** The models to compare. */
  models: CompareConfigModel[];
  /** The edit instruction. */
  prompt?: string;
  /** Absolute paths or URLs (the file's `image` or `images`, resolved against its directory). */
  images?: string[];
  /** A mask, resolved like the images. */
  mask?: string;
  /** Runs per model. */
  repeat?: number;
  /** Spending cap in US dollars. */
  budgetUsd?: number;
  /** Deadline of each edit, in seconds. */
  timeoutSeconds?: number;
  /** Lane limits per provider id (a bundled provider, or one from `providers`). */
  limits?: Record<string, CompareConfigLimits>;
  /**
   * Absolute paths of modules that give extra providers (the file's `providers`, resolved against its
   * directory): each exports provider adapters, or a function returning them (see `ProvidersModule`).
   */
  providers?: string[];
  /** Output directory, resolved against the file's directory. */
  out?: string;
}

const KEYS = [
  'models',
  'prompt',
  'image',
  'images',
  'mask',
  ...NEUTRAL_EDIT_OPTION_KEYS,
  'repeat',
  'budgetUsd',
  'timeoutSeconds',
  'limits',
  'out',
  'providers',
  '$schema',
];

/**
 * Reads and checks a compare config file. Every problem is a {@link UsageError} naming the file and
 * the field.
 */
export async function loadCompareConfig(options: { path: string; cwd: string }): Promise<CompareConfig> {
  const path = resolve(options.cwd, options.path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError({ command: 'compare', message: `--config ${options.path}: no such file` });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError({
      command: 'compare',
      message: `--config ${options.path}: not valid JSON (${describeError(error).message})`,
    });
  }
  return parseCompareConfig({ value, name: options.path, directory: dirname(path) });
}

/** Checks a parsed config; `name` is used in messages, `directory` resolves relative paths. */
export function parseCompareConfig(options: {
  value: unknown;
  name: string;
  directory: string;
}): CompareConfig {
  const fail = (field: string, message: string): never => {
    throw new UsageError({
      command: 'compare',
      message: `${options.name}: ${field ? `${field} ` : ''}${message}`,
    });
  };
  const value = options.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('', 'must hold a JSON object { "models": [...], "prompt": "...", "image": "..." }');
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!KEYS.includes(key))
      fail(
        '',
        `has an unknown key "${key}"; the keys are ${KEYS.filter((name) => name !== '$schema').join(', ')}`,
      );
  }
  const text = (key: string): string | undefined => {
    const field = record[key];
    if (field === undefined) return undefined;
    if (typeof field !== 'string' || field.trim() === '') return fail(key, 'must be a non-empty string');
    return field;
  };
  const number = (key: string, rule: NumberRule): number | undefined => {
    const field = record[key];
    if (field === undefined) return undefined;
    const problem = checkNumber({ value: field, rule });
    return problem ? fail(key, problem) : (field as number);
  };
  const location = (path: string) =>
    /^(https?:\/\/|data:)/i.test(path) ? path : resolve(options.directory, path);
  // With providers modules, a model may name a provider only they give: it is checked once they are loaded.
  const pluginProviders = record.providers !== undefined;
  const modelId = (value: string) =>
    checkModelId({ model: value, command: 'compare', otherProviders: pluginProviders });

  if (!Array.isArray(record.models) || record.models.length === 0) {
    fail(
      'models',
      'must be a non-empty array of "provider:model" strings or { model, label?, providerOptions?, mode? }',
    );
  }
  const models = (record.models as unknown[]).map((entry, index): CompareConfigModel => {
    const field = `models[${index}]`;
    if (typeof entry === 'string') return { model: modelId(entry) };
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      return fail(field, 'must be a "provider:model" string or { model, label?, providerOptions?, mode? }');
    }
    const item = entry as Record<string, unknown>;
    for (const key of Object.keys(item)) {
      if (!['model', 'label', 'providerOptions', 'mode'].includes(key)) {
        fail(field, `has an unknown key "${key}"; use model, label, providerOptions or mode`);
      }
    }
    if (typeof item.model !== 'string') return fail(`${field}.model`, 'must be a "provider:model" string');
    const model: CompareConfigModel = { model: modelId(item.model) };
    if (item.label !== undefined) {
      if (typeof item.label !== 'string' || item.label.trim() === '')
        fail(`${field}.label`, 'must be a non-empty string');
      model.label = item.label as string;
    }
    if (item.providerOptions !== undefined) {
      const providerOptions = item.providerOptions;
      const valid =
        typeof providerOptions === 'object' &&
        providerOptions !== null &&
        !Array.isArray(providerOptions) &&
        Object.values(providerOptions).every(
          (inner) => typeof inner === 'object' && inner !== null && !Array.isArray(inner),
        );
      if (!valid)
        fail(
          `${field}.providerOptions`,
          'must be an object keyed by provider, e.g. { "oxen": { "guidance": 3 } }',
        );
      model.providerOptions = providerOptions as Record<string, Record<string, unknown>>;
    }
    if (item.mode !== undefined) {
      const provider = providerOf(model.model);
      if (!isBundledProvider(provider)) {
        return fail(
          `${field}.mode`,
          `is for the bundled providers (${PROVIDERS.join(', ')}); ${provider} comes from a providers module`,
        );
      }
      if (typeof item.mode !== 'string' || !PROVIDER_MODES[provider].includes(item.mode)) {
        fail(`${field}.mode`, `must be one of ${PROVIDER_MODES[provider].join(', ')} for ${provider}`);
      }
      model.mode = item.mode as string;
    }
    return model;
  });

  const config: CompareConfig = { models };
  const prompt = text('prompt');
  if (prompt !== undefined) config.prompt = prompt;
  if (record.image !== undefined && record.images !== undefined)
    fail('', 'has both "image" and "images"; keep one');
  if (record.image !== undefined) config.images = [location(text('image')!)];
  if (record.images !== undefined) {
    if (
      !Array.isArray(record.images) ||
      record.images.length === 0 ||
      record.images.some((image) => typeof image !== 'string' || image.trim() === '')
    ) {
      fail('images', 'must be a non-empty array of paths or URLs');
    }
    config.images = (record.images as string[]).map(location);
  }
  const mask = text('mask');
  if (mask !== undefined) config.mask = location(mask);
  // The neutral options are checked by core's own rules, with its messages.
  for (const key of NEUTRAL_EDIT_OPTION_KEYS) {
    if (record[key] === undefined) continue;
    const raw = record[key];
    const value =
      key === 'outputFormat' && typeof raw === 'string' ? (OUTPUT_FORMAT_ALIASES[raw] ?? raw) : raw;
    const checked = checkEditOption(key, value);
    if (!checked.ok) return fail('', checked.message);
    Object.assign(config, { [key]: checked.value });
  }
  const repeat = number('repeat', REPEAT_RULE);
  if (repeat !== undefined) config.repeat = repeat;
  const budgetUsd = number('budgetUsd', BUDGET_RULE);
  if (budgetUsd !== undefined) config.budgetUsd = budgetUsd;
  const timeoutSeconds = number('timeoutSeconds', TIMEOUT_RULE);
  if (timeoutSeconds !== undefined) config.timeoutSeconds = timeoutSeconds;
  if (record.limits !== undefined) {
    const limits = record.limits;
    if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) {
      fail('limits', 'must be an object such as { "oxen": { "concurrency": 4 } }');
    }
    config.limits = {};
    for (const [provider, lane] of Object.entries(limits as Record<string, unknown>)) {
      const field = `limits.${provider}`;
      if (!isBundledProvider(provider) && !(pluginProviders && PROVIDER_ID.test(provider)))
        fail(field, `names no provider; use ${PROVIDERS.join(' or ')}, or a provider from "providers"`);
      if (typeof lane !== 'object' || lane === null || Array.isArray(lane))
        fail(field, 'must be { concurrency?, requestsPerSecond? }');
      // The lane limits are checked by core's own rule, the one createRetouch applies.
      const problem = checkLaneLimits(lane);
      if (problem) {
        if (problem.unknownKey !== undefined) {
          fail(field, `has an unknown key "${problem.unknownKey}"; use concurrency or requestsPerSecond`);
        }
        fail([field, ...problem.path].join('.'), problem.message);
      }
      const checked: CompareConfigLimits = lane as CompareConfigLimits;
      config.limits[provider] = checked;
    }
  }
  const out = text('out');
  if (out !== undefined) config.out = resolve(options.directory, out);
  if (pluginProviders) {
    const modules = typeof record.providers === 'string' ? [record.providers] : record.providers;
    if (
      !Array.isArray(modules) ||
      modules.length === 0 ||
      modules.some((module) => typeof module !== 'string' || module.trim() === '')
    ) {
      fail('providers', 'must be a module path or an array of them, e.g. "./providers.mjs"');
    }
    config.providers = (modules as string[]).map((module) => resolve(options.directory, module));
  }
  return config;
}
