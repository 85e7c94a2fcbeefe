import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type CompareEditOptions,
  type CompareModel,
  formatDuration,
  formatUsd,
  pickEditOptions,
  type RunCompareOptions,
  resultsToJson,
  runCompare,
} from '@retouch/compare';
import type { LaneLimits } from '@retouch/core';
import { styles } from '../ansi.ts';
import { refuseBadCompareOptions } from '../compare-option-checks.ts';
import { type CompareConfig, loadCompareConfig } from '../config.ts';
import { type CliContext, wantsColor } from '../context.ts';
import { describeError } from '../describe-error.ts';
import { timestamp } from '../format.ts';
import { resolveImage } from '../inputs.ts';
import { loadJudgeModel } from '../judge-model.ts';
import { withPrices } from '../priced-adapters.ts';
import { createProgressDisplay } from '../progress.ts';
import { isBundledProvider, PROVIDERS, type ProviderName, providerOf } from '../provider-ids.ts';
import { type LoadedProviderModules, loadProviderModules } from '../provider-modules.ts';
import { modeProviderOptions, openProviderSession, type ProviderSession } from '../session.ts';
import { renderCompareTable } from '../table.ts';
import { UsageError } from '../usage-error.ts';
import type { CompareCommandOptions } from './compare-args.ts';

/** `retouch compare`: merges flags over `--config`, checks everything, then runs the comparison. */
export async function runCompareCommand(
  options: CompareCommandOptions,
  context: CliContext,
): Promise<number> {
  const config: CompareConfig | undefined = options.config
    ? await loadCompareConfig({ path: options.config, cwd: context.cwd })
    : undefined;
  const models = options.models ?? config?.models ?? [];
  const prompt = options.prompt ?? config?.prompt;
  if (prompt === undefined) {
    throw new UsageError({
      command: 'compare',
      message: '--prompt is required (or "prompt" in the --config file)',
    });
  }
  const imageValues =
    options.images.length > 0
      ? options.images.map((value) => ({ value, flag: '--image' }))
      : (config?.images ?? []).map((value) => ({ value, flag: 'config image' }));
  if (imageValues.length === 0) {
    throw new UsageError({
      command: 'compare',
      message: '--image is required (or "image" in the --config file): the picture to edit',
    });
  }
  const images = await Promise.all(
    imageValues.map(({ value, flag }) => resolveImage({ value, cwd: context.cwd, flag, command: 'compare' })),
  );
  const maskValue = options.mask ?? config?.mask;
  const mask = maskValue
    ? await resolveImage({ value: maskValue, cwd: context.cwd, flag: '--mask', command: 'compare' })
    : undefined;

  // Providers modules come first: what they give decides which model strings are valid.
  const plugins: LoadedProviderModules | undefined = config?.providers
    ? await loadProviderModules({
        paths: config.providers,
        reserved: PROVIDERS,
        context: { simulate: options.simulate, env: context.env, cwd: context.cwd },
      })
    : undefined;
  try {
    return await compareWith({ options, context, config, models, prompt, images, mask, plugins });
  } finally {
    await plugins?.close();
  }
}

async function compareWith(input: {
  options: CompareCommandOptions;
  context: CliContext;
  config: CompareConfig | undefined;
  models: NonNullable<CompareCommandOptions['models']> | CompareConfig['models'];
  prompt: string;
  images: Awaited<ReturnType<typeof resolveImage>>[];
  mask: Awaited<ReturnType<typeof resolveImage>> | undefined;
  plugins: LoadedProviderModules | undefined;
}): Promise<number> {
  const { options, context, config, models, prompt, images, mask, plugins } = input;
  const known = [...PROVIDERS, ...(plugins?.sources.keys() ?? [])];
  const modules = [...new Set(plugins?.sources.values() ?? [])];
  const unknown = (provider: string, where: string) =>
    new UsageError({
      command: 'compare',
      message: `${where} names the provider "${provider}", which neither the CLI${modules.length > 0 ? ` nor ${modules.join(', ')}` : ''} gives; the providers are ${known.join(', ')}`,
    });
  for (const entry of models) {
    if (!known.includes(providerOf(entry.model))) throw unknown(providerOf(entry.model), `"${entry.model}"`);
  }
  for (const provider of Object.keys(config?.limits ?? {})) {
    if (!known.includes(provider)) throw unknown(provider, `limits.${provider}`);
  }
  const providers = [...new Set(models.map((entry) => providerOf(entry.model)))];
  const bundled = providers.filter(isBundledProvider);
  const limits: Record<string, LaneLimits> = {};
  for (const provider of providers) {
    const lane = { ...(config?.limits?.[provider] ?? {}) };
    if (options.concurrency !== undefined) lane.concurrency = options.concurrency;
    if (Object.keys(lane).length > 0) limits[provider] = lane;
  }
  const timeoutSeconds = options.timeoutSeconds ?? config?.timeoutSeconds;
  const outDir = options.out
    ? resolve(context.cwd, options.out)
    : (config?.out ?? resolve(context.cwd, '.retouch-out', `compare-${timestamp(new Date())}`));

  // The judge's key and package are checked before any edit is sent.
  const judgeModel = options.judge
    ? await loadJudgeModel({ spec: options.judge, env: context.env })
    : undefined;
  const session = await openProviderSession({
    providers: bundled,
    simulate: options.simulate,
    env: context.env,
    ...(options.oxenMode ? { oxenMode: options.oxenMode } : {}),
    ...(options.edenaiTransport ? { edenaiTransport: options.edenaiTransport } : {}),
  });
  try {
    const entries: CompareModel[] = models.map((entry) => {
      const provider = providerOf(entry.model);
      const mode = 'mode' in entry && typeof entry.mode === 'string' ? entry.mode : undefined;
      const model: CompareModel = {
        model: entry.model,
        mode:
          mode ??
          session.modes[provider as ProviderName] ??
          (plugins?.sources.has(provider) ? 'plugin' : 'default'),
      };
      if (entry.label) model.label = entry.label;
      const providerOptions = { ...entry.providerOptions };
      // The entry's mode travels with its request, so the session's one adapter per provider serves it.
      if (mode) {
        providerOptions[provider] = {
          ...providerOptions[provider],
          ...modeProviderOptions({ provider: provider as ProviderName, mode }),
        };
      }
      if (Object.keys(providerOptions).length > 0) model.providerOptions = providerOptions;
      return model;
    });
    // Flags override the config file.
    const editOptions: CompareEditOptions = pickEditOptions([options, config]);
    if (timeoutSeconds !== undefined) editOptions.timeoutMs = Math.round(timeoutSeconds * 1000);
    const budgetUsd = options.budgetUsd ?? config?.budgetUsd;

    const compare: RunCompareOptions = {
      providers: withPrices({
        adapters: [...session.adapters, ...(plugins?.adapters ?? [])],
        prices: options.prices,
      }),
      models: entries,
      prompt,
      images: images.map((image) => image.input as string | { path: string }),
      ...(mask ? { mask: mask.input as string | { path: string } } : {}),
      editOptions,
      repeat: options.repeat ?? config?.repeat ?? 1,
      ...(budgetUsd !== undefined ? { budgetUsd } : {}),
      ...(options.unknownCost ? { unknownCost: options.unknownCost } : {}),
      ...(options.maxRetries !== undefined ? { retry: { maxRetries: options.maxRetries } } : {}),
      ...(Object.keys(limits).length > 0 ? { limits } : {}),
      outDir,
      simulated: session.simulated,
      ...(judgeModel
        ? { judge: { model: judgeModel, ...(options.judgePrices ? { prices: options.judgePrices } : {}) } }
        : {}),
    };
    await refuseBadCompareOptions(compare);
    return await presentComparison({ context, json: options.json, session, compare });
  } finally {
    await session.close();
  }
}

/**
 * Runs a comparison with live progress on stderr, then prints the table (or the results JSON with
 * `json`) and the paths of the files. Returns the exit code: 0 when every edit succeeded, else 1.
 */
export async function presentComparison(options: {
  context: CliContext;
  json: boolean;
  session: ProviderSession;
  compare: RunCompareOptions;
}): Promise<number> {
  const { context } = options;
  const labels = options.compare.models.map((model) => model.label ?? model.model);
  const display = createProgressDisplay({
    stream: context.stderr,
    labels,
    repeat: options.compare.repeat ?? 1,
    interactive: context.stderr.isTTY === true,
    color: wantsColor({ stream: context.stderr, env: context.env }),
  });
  let outcome: Awaited<ReturnType<typeof runCompare>>;
  try {
    outcome = await runCompare({
      ...options.compare,
      describeError,
      onProgress: (event) => display.update(event),
    });
  } finally {
    display.finish();
  }
  const { results, files } = outcome;
  if (options.json) {
    context.stdout.write(resultsToJson(results));
    return results.summary.failed > 0 ? 1 : 0;
  }
  const color = wantsColor({ stream: context.stdout, env: context.env });
  const style = styles(color);
  const shown = (path: string) => {
    const relativePath = relative(context.cwd, path);
    return relativePath.startsWith('..') || isAbsolute(relativePath) ? path : relativePath;
  };
  const lines: string[] = ['', renderCompareTable({ rows: results.rows, color })];
  const failures = results.rows.filter((row) => row.errors.length > 0);
  if (failures.length > 0) {
    lines.push(style.bold('Errors'));
    for (const row of failures)
      for (const error of row.errors) lines.push(`  ${row.label}: ${style.red(error)}`);
    lines.push('');
  }
  const warned = results.rows.filter((row) => row.warnings.length > 0);
  if (warned.length > 0) {
    lines.push(style.bold('Warnings'));
    for (const row of warned)
      for (const warning of row.warnings) lines.push(`  ${row.label}: ${style.yellow(warning)}`);
    lines.push('');
  }
  const { summary } = results;
  const estimated = results.rows.some((row) => row.costSource === 'estimated');
  lines.push(
    `${summary.runs} edit${summary.runs === 1 ? '' : 's'}: ${summary.succeeded} succeeded, ${summary.failed} failed · ` +
      `spent ${formatUsd(summary.totalCostUsd)}${estimated ? ' (~ estimated from prices)' : ''} · wall time ${formatDuration(summary.wallTimeMs)}` +
      (summary.judgeCostUsd !== undefined ? ` · judge ${formatUsd(summary.judgeCostUsd)} apart` : '') +
      (results.simulated ? ' · simulated' : ''),
  );
  lines.push(`Report:  ${style.cyan(shown(files.report))}  ${style.dim(pathToFileURL(files.report).href)}`);
  lines.push(`Results: ${shown(files.json)}, ${shown(files.csv)}`);
  context.stdout.write(`${lines.join('\n')}\n`);
  return summary.failed > 0 ? 1 : 0;
}
