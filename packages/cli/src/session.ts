import type { ProviderAdapter } from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen, oxen as defaultOxen } from '@retouch/provider-oxen';
import {
  type EdenAISimulator,
  type EdenAISimulatorOptions,
  type OxenSimulator,
  type OxenSimulatorOptions,
  startEdenAISimulator,
  startOxenSimulator,
} from '@retouch/simulator';
import type { EdenAITransportName, OxenMode } from './args/connection-flags.ts';
import type { CliContext } from './context.ts';
import type { ProviderName } from './provider-ids.ts';
import { UsageError } from './usage-error.ts';

/** The environment variable holding each provider's API key. */
export const API_KEY_VARIABLES: Record<ProviderName, string> = {
  oxen: 'OXEN_API_KEY',
  edenai: 'EDENAI_API_KEY',
};

const PROVIDER_NAMES: Record<ProviderName, string> = { oxen: 'Oxen.ai', edenai: 'Eden AI' };

/**
 * The Oxen adapter's mode when the command line sets none: the provider's own default, read from its
 * default instance, so the runs and the help say what `createOxen()` does.
 */
export const DEFAULT_OXEN_MODE: OxenMode = defaultOxen.mode;

/** Adapters ready for `createRetouch`, and what to release afterwards. */
export interface ProviderSession {
  /** One adapter per provider asked for, in the mode the command line chose. */
  adapters: ProviderAdapter[];
  /** How each provider's edits travel, for the `mode` column: `sse`, `sync`, `json`, ... */
  modes: Partial<Record<ProviderName, string>>;
  /** True when the adapters talk to in-process simulators. */
  simulated: boolean;
  /** The running simulators, when simulated. */
  simulators: { oxen?: OxenSimulator; edenai?: EdenAISimulator };
  /** Closes the adapters and stops the simulators. */
  close(): Promise<void>;
}

/** Options of {@link openProviderSession}. */
export interface ProviderSessionOptions {
  /** The providers the command will use. */
  providers: readonly ProviderName[];
  /** Start in-process simulators and point the adapters at them. */
  simulate: boolean;
  /** Where keys are read from when not simulating. */
  env: CliContext['env'];
  oxenMode?: OxenMode;
  edenaiTransport?: EdenAITransportName;
  /**
   * With `simulate`, a directory the simulators keep accepted jobs, results and their bill in, so a
   * command started again on it resumes what the last one left (a batch's crash-resume).
   */
  simulatorState?: string;
  /** Simulator tuning (demo schedules, tests). */
  oxenSimulator?: OxenSimulatorOptions;
  edenaiSimulator?: EdenAISimulatorOptions;
}

/**
 * The modes each provider's adapter can run in; a request picks one with {@link modeProviderOptions}.
 */
export const PROVIDER_MODES: Record<ProviderName, readonly string[]> = {
  oxen: ['sync', 'queue', 'sse'],
  edenai: ['auto', 'json', 'multipart'],
};

/** Whether the environment holds every key the providers need. */
export function hasApiKeys(options: { providers: readonly ProviderName[]; env: CliContext['env'] }): boolean {
  return options.providers.every(
    (provider) => (options.env[API_KEY_VARIABLES[provider]] ?? '').trim() !== '',
  );
}

/**
 * Checks that every provider the command needs has its key, before anything is sent: throws a
 * one-line {@link UsageError} naming the variable otherwise.
 */
export function requireApiKeys(options: {
  providers: readonly ProviderName[];
  env: CliContext['env'];
}): void {
  for (const provider of options.providers) {
    const variable = API_KEY_VARIABLES[provider];
    if ((options.env[variable] ?? '').trim() === '') {
      throw new UsageError({
        message: `${variable} is not set: export your ${PROVIDER_NAMES[provider]} API key as ${variable}, or add --simulate to use a local simulator`,
      });
    }
  }
}

/**
 * The provider's base URL from `OXEN_BASE_URL` or `EDENAI_BASE_URL`, to point the CLI at a compatible
 * server (a `retouch-simulator` another process runs, a proxy); the real API when unset.
 */
function baseURLFrom(options: { env: CliContext['env']; variable: string }): { baseURL?: string } {
  const value = (options.env[options.variable] ?? '').trim();
  if (value === '') return {};
  if (!/^https?:\/\/[^\s]+$/i.test(value)) {
    throw new UsageError({
      message: `${options.variable} must be an http(s) URL such as http://127.0.0.1:4010, not "${value}"; unset it to use the provider's API`,
    });
  }
  return { baseURL: value };
}

/**
 * Creates the adapters a command needs: against in-process simulators with `simulate`, otherwise
 * against the real APIs with keys from the environment (checked first, see {@link requireApiKeys}).
 */
export async function openProviderSession(options: ProviderSessionOptions): Promise<ProviderSession> {
  const providers = [...new Set(options.providers)];
  if (!options.simulate) requireApiKeys({ providers, env: options.env });
  const simulators: ProviderSession['simulators'] = {};
  const created: ProviderAdapter[] = [];

  const createAdapter = ({ provider, mode }: { provider: ProviderName; mode: string }): ProviderAdapter => {
    if (!PROVIDER_MODES[provider].includes(mode)) {
      throw new UsageError({
        message: `${provider} has no mode "${mode}"; use one of ${PROVIDER_MODES[provider].join(', ')}`,
      });
    }
    let adapter: ProviderAdapter;
    if (provider === 'oxen') {
      const simulator = simulators.oxen;
      adapter = createOxen({
        mode: mode as OxenMode,
        ...(simulator
          ? { baseURL: simulator.url, apiKey: simulator.apiKey, pollIntervalMs: 100, maxPollIntervalMs: 400 }
          : {
              apiKey: (options.env.OXEN_API_KEY ?? '').trim(),
              ...baseURLFrom({ env: options.env, variable: 'OXEN_BASE_URL' }),
            }),
      });
    } else {
      const simulator = simulators.edenai;
      adapter = createEdenAI({
        transport: mode as EdenAITransportName,
        ...(simulator
          ? { baseURL: simulator.url, apiKey: simulator.apiKey }
          : {
              apiKey: (options.env.EDENAI_API_KEY ?? '').trim(),
              ...baseURLFrom({ env: options.env, variable: 'EDENAI_BASE_URL' }),
            }),
      });
    }
    created.push(adapter);
    return adapter;
  };

  const adapters: ProviderAdapter[] = [];
  const modes: ProviderSession['modes'] = {};
  const stopSimulators = () => Promise.allSettled([simulators.oxen?.close(), simulators.edenai?.close()]);
  try {
    if (options.simulate && providers.includes('oxen')) {
      simulators.oxen = await startOxenSimulator({
        ...(options.simulatorState ? { stateDirectory: options.simulatorState } : {}),
        ...options.oxenSimulator,
      });
    }
    if (options.simulate && providers.includes('edenai')) {
      simulators.edenai = await startEdenAISimulator({
        ...(options.simulatorState ? { stateDirectory: options.simulatorState } : {}),
        ...options.edenaiSimulator,
      });
    }
    if (providers.includes('oxen')) {
      modes.oxen = options.oxenMode ?? DEFAULT_OXEN_MODE;
      adapters.push(createAdapter({ provider: 'oxen', mode: modes.oxen }));
    }
    if (providers.includes('edenai')) {
      modes.edenai = options.edenaiTransport ?? 'auto';
      adapters.push(createAdapter({ provider: 'edenai', mode: modes.edenai }));
    }
  } catch (error) {
    await stopSimulators();
    throw error;
  }
  return {
    adapters,
    modes,
    simulated: options.simulate,
    simulators,
    async close() {
      await Promise.allSettled(created.map((adapter) => adapter.close?.()));
      await stopSimulators();
    },
  };
}

/**
 * The provider options that make one request travel in `mode` (one of {@link PROVIDER_MODES}), so one
 * adapter per provider serves every mode of a comparison: Oxen's `mode`, Eden AI's `transport`.
 *
 * @example
 * modeProviderOptions({ provider: 'oxen', mode: 'queue' }); // { mode: 'queue' }
 */
export function modeProviderOptions(options: {
  provider: ProviderName;
  mode: string;
}): Record<string, string> {
  return options.provider === 'oxen' ? { mode: options.mode } : { transport: options.mode };
}
