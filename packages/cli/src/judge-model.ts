import type { CompareJudge } from '@retouch/compare';
import { UsageError } from './usage-error.ts';

/** The AI SDK providers `--judge` can name: the package, its factory, and the key it needs. */
export const JUDGE_PROVIDERS = {
  openai: { packageName: '@ai-sdk/openai', factory: 'createOpenAI', keyVariable: 'OPENAI_API_KEY' },
  anthropic: {
    packageName: '@ai-sdk/anthropic',
    factory: 'createAnthropic',
    keyVariable: 'ANTHROPIC_API_KEY',
  },
  google: {
    packageName: '@ai-sdk/google',
    factory: 'createGoogleGenerativeAI',
    keyVariable: 'GOOGLE_GENERATIVE_AI_API_KEY',
  },
} as const;

/** A provider `--judge` can name. */
export type JudgeProviderName = keyof typeof JUDGE_PROVIDERS;

/**
 * The language model of `--judge <provider>:<model>`, made with the provider's AI SDK package, which
 * the user installs beside the CLI (the CLI does not ship one). Checks the key before any edit is sent.
 */
export async function loadJudgeModel(options: {
  spec: string;
  env: Readonly<Record<string, string | undefined>>;
}): Promise<CompareJudge['model']> {
  const separator = options.spec.indexOf(':');
  const provider = options.spec.slice(0, separator) as JudgeProviderName;
  const modelId = options.spec.slice(separator + 1);
  const { packageName, factory, keyVariable } = JUDGE_PROVIDERS[provider];
  const apiKey = options.env[keyVariable];
  if (!apiKey) {
    throw new UsageError({
      command: 'compare',
      message: `--judge ${options.spec} needs ${keyVariable} in the environment`,
    });
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(packageName)) as Record<string, unknown>;
  } catch {
    throw new UsageError({
      command: 'compare',
      message: `--judge ${options.spec} needs the AI SDK's ${packageName}: npm install ${packageName}`,
    });
  }
  const create = module[factory] as (settings: {
    apiKey: string;
  }) => (modelId: string) => CompareJudge['model'];
  return create({ apiKey })(modelId);
}
