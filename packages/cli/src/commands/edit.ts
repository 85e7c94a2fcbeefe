import { isAbsolute, join, relative, resolve } from 'node:path';
import {
  describeError,
  errorLine,
  formatBytes,
  formatDuration,
  formatUsd,
  pickEditOptions,
  type SavedImage,
  saveImages,
  slugify,
} from '@retouch/compare';
import {
  createRetouch,
  type EditCheck,
  type EditRequest,
  type EditResult,
  InvalidRequestError,
  UnsupportedFeatureError,
} from '@retouch/core';
import { styles } from '../ansi.ts';
import { type CliContext, wantsColor } from '../context.ts';
import { timestamp } from '../format.ts';
import { resolveImage } from '../inputs.ts';
import { optionProblems } from '../option-problems.ts';
import { elapsedStamp, retryingText } from '../progress-text.ts';
import { type ProviderName, providerOf } from '../provider-ids.ts';
import { openProviderSession } from '../session.ts';
import { UsageError } from '../usage-error.ts';
import type { EditCommandOptions } from './edit-args.ts';

/** What `retouch edit --json` prints. */
export interface EditCommandResult {
  model: string;
  provider: string;
  status: 'succeeded' | 'failed';
  cost?: { usd: number; source: 'reported' | 'estimated' };
  timings?: { queuedMs: number; runningMs: number; totalMs: number };
  warnings: string[];
  /** Saved outputs; `file` is relative to the output directory. */
  images: (SavedImage & { path: string })[];
  jobId?: string;
  upstreamProvider?: string;
  error?: { name: string; message: string };
  simulated: boolean;
}

/** `retouch edit`: one edit through the dispatcher; saves outputs and prints cost, time and warnings. */
export async function runEditCommand(options: EditCommandOptions, context: CliContext): Promise<number> {
  const images = await Promise.all(
    options.images.map((value) =>
      resolveImage({ value, cwd: context.cwd, flag: '--image', command: 'edit' }),
    ),
  );
  const mask = options.mask
    ? await resolveImage({ value: options.mask, cwd: context.cwd, flag: '--mask', command: 'edit' })
    : undefined;
  // `edit` takes the bundled providers only: the argument parser checked the prefix.
  const provider = providerOf(options.model) as ProviderName;
  const outDir = resolve(context.cwd, options.out ?? '.retouch-out');
  const session = await openProviderSession({
    providers: [provider],
    simulate: options.simulate,
    env: context.env,
    ...(options.oxenMode ? { oxenMode: options.oxenMode } : {}),
    ...(options.edenaiTransport ? { edenaiTransport: options.edenaiTransport } : {}),
  });
  const style = styles(wantsColor({ stream: context.stderr, env: context.env }));
  const progress = (text: string) => {
    if (!options.json) context.stderr.write(`${style.dim(text)}\n`);
  };
  const retouch = createRetouch({
    providers: session.adapters,
    strict: options.strict,
    ...(options.maxRetries !== undefined ? { retry: { maxRetries: options.maxRetries } } : {}),
    onProgress: (event) => {
      const at = elapsedStamp(event.elapsedMs);
      if (event.type === 'started')
        progress(
          `${at} sending to ${event.model}${event.attempt && event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`,
        );
      else if (event.type === 'retrying')
        progress(`${at} ${retryingText({ ...event, reason: event.reason ?? 'transient error' })}`);
      else if (event.type === 'status' && event.providerJobId)
        progress(`${at} ${event.provider} job ${event.providerJobId} ${event.status ?? ''}`.trimEnd());
    },
  });
  const request: EditRequest = {
    model: options.model,
    prompt: options.prompt,
    images: images.map((image) => image.input),
    ...(mask ? { mask: mask.input } : {}),
    ...pickEditOptions([options]),
    ...(options.timeoutSeconds !== undefined ? { timeoutMs: Math.round(options.timeoutSeconds * 1000) } : {}),
    ...(Object.keys(options.providerOptions).length > 0
      ? { providerOptions: { [provider]: options.providerOptions } }
      : {}),
  };
  const summary: EditCommandResult = {
    model: options.model,
    provider,
    status: 'failed',
    warnings: [],
    images: [],
    simulated: session.simulated,
  };
  let result: EditResult;
  try {
    try {
      await refuseBadOptions({ request, provider, check: (checked) => retouch.check(checked) });
      result = await retouch.edit(request);
    } catch (error) {
      if (UsageError.isInstance(error)) throw error;
      // Both are refusals before anything is sent (a bad option, or one --strict will not let the
      // model drop): the command line is what to change, as for any usage error.
      if (InvalidRequestError.isInstance(error) || UnsupportedFeatureError.isInstance(error)) {
        throw new UsageError({ command: 'edit', message: error.message });
      }
      const { name, message } = describeError(error);
      summary.error = { name, message };
      if (options.json) context.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else context.stderr.write(`${style.red('✖')} ${options.model} failed: ${errorLine(summary.error)}\n`);
      return 1;
    }
    const saved = await saveImages({
      images: result.images,
      root: outDir,
      directory: outDir,
      baseName: `${slugify(result.model.slice(result.model.indexOf(':') + 1))}-${timestamp(new Date())}`,
    });
    Object.assign(summary, {
      status: 'succeeded',
      model: result.model,
      provider: result.provider,
      timings: result.timings,
      warnings: result.warnings.map((warning) => warning.message),
      images: saved.map((image) => ({ ...image, path: join(outDir, ...image.file.split('/')) })),
      ...(result.cost ? { cost: result.cost } : {}),
      ...(result.jobId ? { jobId: result.jobId } : {}),
      ...(result.upstreamProvider ? { upstreamProvider: result.upstreamProvider } : {}),
    });
  } finally {
    await retouch.close();
    await session.close();
  }
  if (options.json) {
    context.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  }
  context.stdout.write(
    describeEdit({
      summary,
      cwd: context.cwd,
      color: wantsColor({ stream: context.stdout, env: context.env }),
    }),
  );
  return 0;
}

/** The human-readable account of a finished edit: model, time, cost, files, warnings. */
export function describeEdit(options: { summary: EditCommandResult; cwd: string; color?: boolean }): string {
  const { summary } = options;
  const style = styles(options.color ?? false);
  const shown = (path: string) => {
    const relativePath = relative(options.cwd, path);
    return relativePath.startsWith('..') || isAbsolute(relativePath) ? path : relativePath;
  };
  const timings = summary.timings;
  const cost = summary.cost
    ? `${formatUsd(summary.cost.usd)} ${summary.cost.source === 'estimated' ? '(estimated from prices)' : '(reported)'}`
    : 'cost unknown';
  const lines = [
    `${style.green('✔')} ${style.bold(summary.model)}${summary.upstreamProvider ? ` via ${summary.upstreamProvider}` : ''}${summary.simulated ? style.dim(' (simulated)') : ''}`,
    `  time   ${timings ? `${formatDuration(timings.totalMs)} (queued ${formatDuration(timings.queuedMs)}, running ${formatDuration(timings.runningMs)})` : '–'}`,
    `  cost   ${cost}`,
  ];
  for (const image of summary.images) {
    const size = image.width && image.height ? `${image.width}×${image.height}, ` : '';
    lines.push(
      `  saved  ${style.cyan(shown(image.path))} ${style.dim(`(${size}${formatBytes(image.bytes)})`)}`,
    );
  }
  for (const warning of summary.warnings) lines.push(`  ${style.yellow('warning')} ${warning}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Refuses, before anything is sent, an `--option` the model would not take as written (an unknown
 * parameter, a value outside its values or range), as `retouch batch` refuses such a line.
 */
async function refuseBadOptions(options: {
  request: EditRequest;
  provider: ProviderName;
  check: (request: EditRequest) => Promise<EditCheck>;
}): Promise<void> {
  const problems = await optionProblems({
    request: options.request,
    where: String(options.request.model),
    check: options.check,
  });
  if (problems.length === 0) return;
  throw new UsageError({
    command: 'edit',
    message: problems
      .map((problem) => problem.text.replaceAll(`providerOptions.${options.provider}.`, '--option '))
      .join('\n'),
  });
}
