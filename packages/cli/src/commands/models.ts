import { formatUsd } from '@retouch/compare';
import type { ModelInfo } from '@retouch/core';
import { styles } from '../ansi.ts';
import { type CliContext, wantsColor } from '../context.ts';
import { readModelCatalogues } from '../model-catalogue.ts';
import { PROVIDERS } from '../provider-ids.ts';
import type { ModelsCommandOptions } from './models-args.ts';

/**
 * `retouch models`: prints the models with their parameters and prices, or `--json`. A provider whose
 * live catalogue cannot be read (no key, no network) is listed from the adapter's built-in
 * catalogue, marked offline with its date; in `--json` each model then carries
 * `catalogue: { source: 'built-in', checked }`.
 */
export async function runModelsCommand(options: ModelsCommandOptions, context: CliContext): Promise<number> {
  const providers = options.provider ? [options.provider] : [...PROVIDERS];
  const catalogues = await readModelCatalogues({ providers, simulate: options.simulate, env: context.env });
  if (options.json) {
    const models = catalogues.flatMap((catalogue) =>
      catalogue.source === 'live'
        ? catalogue.models
        : catalogue.models.map((model) => ({
            ...model,
            catalogue: { source: catalogue.source, checked: catalogue.checked },
          })),
    );
    context.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
    return 0;
  }
  const color = wantsColor({ stream: context.stdout, env: context.env });
  const style = styles(color);
  const offline = catalogues.filter((catalogue) => catalogue.source === 'built-in');
  for (const catalogue of offline) {
    context.stdout.write(
      `${style.yellow(`${catalogue.provider}: offline, the built-in catalogue of ${catalogue.checked}`)} (${catalogue.reason}); models added or repriced since are not shown\n`,
    );
  }
  if (offline.length > 0) context.stdout.write('\n');
  context.stdout.write(
    renderModelList({ models: catalogues.flatMap((catalogue) => catalogue.models), color }),
  );
  if (options.simulate) {
    context.stdout.write(
      "\n(simulated catalogues: the simulators serve the models of the providers' documentation)\n",
    );
  }
  return 0;
}

/** The price of one output image as people read it: `$0.0300/image`, `$0.011–$0.25/image`, `billed by token`. */
export function formatPrice(model: ModelInfo): string {
  const pricing = model.pricing;
  if (!pricing) return 'price unknown';
  if (pricing.perImageUsd !== undefined) return `${formatUsd(pricing.perImageUsd)}/image`;
  const grid = Object.values(pricing.perImageGridUsd ?? {}).flatMap((row) => Object.values(row));
  if (grid.length > 0) {
    const low = Math.min(...grid);
    const high = Math.max(...grid);
    return low === high ? `${formatUsd(low)}/image` : `${formatUsd(low)}–${formatUsd(high)}/image`;
  }
  return pricing.method ? `billed by ${pricing.method.replaceAll('_', ' ')}` : 'price unknown';
}

/**
 * The models grouped by provider, each with its price, what it accepts and its own parameters.
 *
 * @example
 * process.stdout.write(renderModelList({ models }));
 */
export function renderModelList(options: { models: readonly ModelInfo[]; color?: boolean }): string {
  const style = styles(options.color ?? false);
  const lines: string[] = [];
  const providers = [...new Set(options.models.map((model) => model.provider))];
  for (const provider of providers) {
    const models = options.models.filter((model) => model.provider === provider);
    if (lines.length > 0) lines.push('');
    lines.push(style.bold(`${provider} (${models.length} edit model${models.length === 1 ? '' : 's'})`));
    const width = Math.max(...models.map((model) => model.id.length));
    for (const model of models) {
      lines.push('');
      const name =
        model.displayName && model.displayName !== model.modelId ? `  ${style.dim(model.displayName)}` : '';
      lines.push(`  ${style.cyan(model.id.padEnd(width))}  ${formatPrice(model)}${name}`);
      const capabilities = model.capabilities;
      if (capabilities) {
        const facts = [
          capabilities.maxInputImages === 1
            ? '1 input image'
            : `up to ${capabilities.maxInputImages} input images`,
          capabilities.mask ? 'mask' : 'no mask',
          capabilities.maxOutputs > 1 ? `up to ${capabilities.maxOutputs} outputs` : '1 output',
        ];
        if (capabilities.sizes?.length) facts.push(`sizes ${capabilities.sizes.join(', ')}`);
        if (capabilities.aspectRatios?.length)
          facts.push(`aspect ratios ${capabilities.aspectRatios.join(', ')}`);
        if (capabilities.qualities?.length) facts.push(`quality ${capabilities.qualities.join(', ')}`);
        if (capabilities.outputFormats?.length)
          facts.push(`formats ${capabilities.outputFormats.join(', ')}`);
        if (capabilities.seed) facts.push('seed');
        if (capabilities.negativePrompt) facts.push('negative prompt');
        lines.push(...wrapFacts(facts, 96).map((line) => `    ${line}`));
      }
      const parameters = Object.entries(model.parameters ?? {}).filter(
        ([name]) => !['prompt', 'input_image', 'image', 'images'].includes(name),
      );
      if (parameters.length > 0) {
        lines.push(`    ${style.dim('parameters:')}`);
        for (const [name, parameter] of parameters) {
          const details: string[] = [];
          if (parameter.enum?.length) details.push(parameter.enum.map((value) => String(value)).join(' | '));
          else if (parameter.type) details.push(parameter.type);
          if (parameter.default !== undefined) details.push(`default ${JSON.stringify(parameter.default)}`);
          lines.push(`      ${name}${details.length > 0 ? `  ${style.dim(details.join(', '))}` : ''}`);
        }
      }
    }
  }
  if (lines.length === 0) lines.push('No edit-capable models found.');
  return `${lines.join('\n')}\n`;
}

/** Joins facts with ` · `, starting a new line before one would pass `width` characters. */
function wrapFacts(facts: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const fact of facts) {
    const next = current === '' ? fact : `${current} · ${fact}`;
    if (next.length > width && current !== '') {
      lines.push(current);
      current = fact;
    } else {
      current = next;
    }
  }
  if (current !== '') lines.push(current);
  return lines;
}
