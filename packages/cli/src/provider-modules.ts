import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProviderAdapter } from '@retouch/core';
import type { CliContext } from './context.ts';
import { describeError } from './describe-error.ts';
import { PROVIDER_ID } from './provider-ids.ts';
import { UsageError } from './usage-error.ts';

/** What a providers module's function is given. */
export interface ProvidersModuleContext {
  /** True under `--simulate`: the module should point its providers at local simulators (and start them). */
  simulate: boolean;
  /** The environment the command runs in, for the providers' keys and base URLs. */
  env: Readonly<Record<string, string | undefined>>;
  /** The command's working directory. */
  cwd: string;
}

/** What a providers module returns: its adapters, and what to release once the comparison is over. */
export type ProvidersModuleResult =
  | readonly ProviderAdapter[]
  | {
      /** The extra providers. */
      providers: readonly ProviderAdapter[];
      /** Called once the comparison is over: stop simulators, close clients. */
      close?(): void | Promise<void>;
    };

/**
 * The default export (or the `providers` export) of a module named in a compare config's `providers`:
 * the extra provider adapters, or a function that makes them. An AI SDK model becomes one with
 * `fromImageModel` from `@retouch/ai-sdk`.
 *
 * @example
 * // providers.mjs, next to compare.json ({ "providers": "./providers.mjs", "models": ["openai:gpt-image-1", ...] })
 * import { createOpenAI } from '@ai-sdk/openai';
 * import { fromImageModel } from '@retouch/ai-sdk';
 *
 * export default ({ env }) => [
 *   fromImageModel(createOpenAI({ apiKey: env.OPENAI_API_KEY }).image('gpt-image-1'), { id: 'openai', prices: { perImageUsd: 0.042 } }),
 * ];
 */
export type ProvidersModule =
  | ProvidersModuleResult
  | ((context: ProvidersModuleContext) => ProvidersModuleResult | Promise<ProvidersModuleResult>);

/** The adapters of every providers module, where each came from, and how to release them. */
export interface LoadedProviderModules {
  adapters: ProviderAdapter[];
  /** Provider id → the file name of the module that gave it, for messages. */
  sources: Map<string, string>;
  close(): Promise<void>;
}

/**
 * Imports each module, calls its export with the command's context, and checks what it returned: an
 * array of adapters with distinct ids that the CLI does not already have. Every problem is a
 * {@link UsageError} naming the module, before anything is sent.
 */
export async function loadProviderModules(options: {
  paths: readonly string[];
  reserved: readonly string[];
  context: Pick<CliContext, 'env' | 'cwd'> & { simulate: boolean };
}): Promise<LoadedProviderModules> {
  const adapters: ProviderAdapter[] = [];
  const sources = new Map<string, string>();
  const closers: (() => void | Promise<void>)[] = [];
  const close = async () => {
    await Promise.allSettled([
      ...closers.map((closer) => closer()),
      ...adapters.map((adapter) => adapter.close?.()),
    ]);
  };
  try {
    for (const path of options.paths) {
      const name = basename(path);
      const fail = (message: string): never => {
        throw new UsageError({ command: 'compare', message: `providers module ${name}: ${message}` });
      };
      let module: Record<string, unknown>;
      try {
        module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
      } catch (error) {
        return fail(`cannot be loaded (${describeError(error).message.split('\n')[0]})`);
      }
      const exported = (module.default ?? module.providers) as ProvidersModule | undefined;
      if (exported === undefined) {
        fail(
          'has no default export and no `providers` export; export the provider adapters, or a function returning them',
        );
      }
      let result: ProvidersModuleResult;
      try {
        result =
          typeof exported === 'function'
            ? await exported({
                simulate: options.context.simulate,
                env: options.context.env,
                cwd: options.context.cwd,
              })
            : exported!;
      } catch (error) {
        if (error instanceof UsageError) throw error;
        return fail(`failed while making its providers (${describeError(error).message})`);
      }
      const list = Array.isArray(result) ? result : (result as { providers?: unknown }).providers;
      if (!Array.isArray(list)) {
        fail('must give an array of provider adapters, or { providers: [...], close? }');
      }
      if (!Array.isArray(result) && typeof (result as { close?: unknown }).close === 'function') {
        const { close: closeModule } = result as { close: () => void | Promise<void> };
        closers.push(() => closeModule.call(result));
      }
      for (const [index, adapter] of (list as unknown[]).entries()) {
        const candidate = adapter as Partial<ProviderAdapter> | null;
        if (
          typeof candidate !== 'object' ||
          candidate === null ||
          typeof candidate.id !== 'string' ||
          !PROVIDER_ID.test(candidate.id)
        ) {
          fail(
            `providers[${index}] is not a provider adapter with an id such as "openai" (fromImageModel from @retouch/ai-sdk makes one)`,
          );
        }
        const id = candidate!.id as string;
        if (
          candidate!.specificationVersion !== 2 ||
          (typeof candidate!.edit !== 'function' && typeof candidate!.submit !== 'function')
        ) {
          fail(
            `the provider "${id}" does not implement the Retouch adapter spec version 2 (specificationVersion: 2 and edit or submit)`,
          );
        }
        if (options.reserved.includes(id)) {
          fail(`gives a provider "${id}", which the CLI already has; give it another id`);
        }
        if (sources.has(id))
          fail(`gives the provider "${id}", which ${sources.get(id)} already gave; ids must differ`);
        sources.set(id, name);
        adapters.push(candidate as ProviderAdapter);
      }
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { adapters, sources, close };
}
