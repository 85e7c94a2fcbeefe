/**
 * A providers module for `retouch compare`: OpenAI's gpt-image-1, reached through the AI SDK, beside
 * the bundled providers. Name it in a compare config: { "providers": "./openai-providers.mjs", ... }.
 *
 * Under --simulate it starts a local OpenAI-shaped simulator (unless OPENAI_BASE_URL points elsewhere);
 * otherwise it uses the real API with the key in OPENAI_API_KEY.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { fromImageModel } from '@retouch/ai-sdk';
import { startOpenAISimulator } from '@retouch/simulator';

export default async function providers({ simulate, env }) {
  const simulator = simulate && !env.OPENAI_BASE_URL ? await startOpenAISimulator() : undefined;
  const openai = createOpenAI(
    simulator
      ? { apiKey: simulator.apiKey, baseURL: `${simulator.url}/v1` }
      : { apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL },
  );
  return {
    // The AI SDK reports no cost: the price comes from OpenAI's list, and results mark it estimated.
    providers: [
      fromImageModel(openai.image('gpt-image-1'), { id: 'openai', prices: { perImageUsd: 0.042 } }),
    ],
    close: () => simulator?.close(),
  };
}
