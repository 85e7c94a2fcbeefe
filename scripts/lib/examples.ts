import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type EdenAISimulator,
  type OpenAISimulator,
  type OxenSimulator,
  startEdenAISimulator,
  startOpenAISimulator,
  startOxenSimulator,
} from '@retouch/simulator';
import { type RunResult, repositoryNode, repositoryRoot, run } from './workspace.ts';

/** The folder of the runnable examples. */
export const examplesDirectory = join(repositoryRoot, 'examples');

/** The names of the examples: every `examples/*.ts` file, without its extension. */
export function exampleNames(): string[] {
  return readdirSync(examplesDirectory)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => file.slice(0, -'.ts'.length))
    .sort();
}

/** The local stand-ins for Oxen.ai, Eden AI and OpenAI that the examples run against. */
export interface ExampleWorld {
  oxen: OxenSimulator;
  edenai: EdenAISimulator;
  /** OpenAI's image edits, for the examples that reach OpenAI through the AI SDK. */
  openai: OpenAISimulator;
  /** The environment that points an example's providers at the simulators. */
  environment: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts the simulators, Oxen's with short jobs. The examples read their providers' base URLs and keys
 * from the environment, so the same files run against the real APIs when those are set instead.
 */
export async function startExampleWorld(): Promise<ExampleWorld> {
  const oxen = await startOxenSimulator({ jobSchedule: { queuedMs: 20, processingMs: 80 } });
  const edenai = await startEdenAISimulator({ editDelayMs: 20 });
  const openai = await startOpenAISimulator({ editDelayMs: 20 });
  return {
    oxen,
    edenai,
    openai,
    environment: {
      OXEN_BASE_URL: oxen.url,
      OXEN_API_KEY: oxen.apiKey,
      EDENAI_BASE_URL: edenai.url,
      EDENAI_API_KEY: edenai.apiKey,
      // @ai-sdk/openai reads both; its base URL ends with the API's version.
      OPENAI_BASE_URL: `${openai.url}/v1`,
      OPENAI_API_KEY: openai.apiKey,
    },
    async close() {
      await Promise.all([oxen.close(), edenai.close(), openai.close()]);
    },
  };
}

/**
 * Runs one example as a user would, in its own Node process with the workspace's sources, and
 * returns what it printed. The process is asynchronous so the simulators in this one keep serving.
 */
export function runExample(options: {
  name: string;
  world: ExampleWorld;
  cwd: string;
  echo?: boolean;
  /** More environment, e.g. `REDIS_URL` for the examples that need Redis. */
  env?: Record<string, string>;
}): Promise<RunResult> {
  return run({
    command: repositoryNode,
    args: ['--conditions=@retouch/source', join(examplesDirectory, `${options.name}.ts`)],
    cwd: options.cwd,
    env: { ...options.world.environment, ...options.env, NODE_OPTIONS: undefined },
    echo: options.echo ?? false,
    timeoutMs: 120_000,
  });
}

/** The examples that need a Redis (`REDIS_URL`): the runners start a throwaway redis-server for them. */
export const REDIS_EXAMPLES: readonly string[] = ['scaling-out'];
