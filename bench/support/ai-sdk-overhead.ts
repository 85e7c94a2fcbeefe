/**
 * The overhead scenario's reference arm: the same edit through Retouch's Eden AI adapter and through the
 * AI SDK's `generateImage` with `@ai-sdk/openai`, against one Eden AI simulator (in its own process),
 * whose `POST /v3/images/edits` speaks OpenAI's image-edit API. Both send the same picture to the same
 * model in a multipart body and read back the same base64 image, so the difference in client CPU is the
 * clients' own work.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { createRetouch } from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';
import { generateImage } from 'ai';
import { OVERHEAD_CONCURRENCY, referenceEdit } from './overhead-edit.ts';
import { measureServedRounds, type ServedRounds } from './paired-rounds.ts';
import { type SimulatorProcess, startSimulatorProcess } from './simulator-process.ts';

const EDIT_ROUTE = 'POST /v3/images/edits';

/** What both clients put on the wire for one edit, as the simulator recorded it. */
interface RecordedMultipart {
  fields?: Record<string, unknown>;
  files?: { name: string; sha256: string; size: number }[];
}

async function recordOneEdit(options: {
  simulator: SimulatorProcess;
  edit: () => Promise<boolean>;
  what: string;
}): Promise<RecordedMultipart> {
  await options.simulator.clear();
  if (!(await options.edit())) throw new Error(`overhead: the ${options.what} edit returned no image`);
  const summary = await options.simulator.summary();
  if (summary.byRoute[EDIT_ROUTE] !== 1) {
    throw new Error(
      `overhead: expected one ${options.what} edit request, the simulator saw ${JSON.stringify(summary.byRoute)}`,
    );
  }
  return summary.lastEditBody as RecordedMultipart;
}

/** Fails unless both clients sent the same model, prompt and picture, so the comparison is like for like. */
function checkSameWork(options: { retouch: RecordedMultipart; aiSdk: RecordedMultipart }): void {
  const describe = (body: RecordedMultipart) =>
    JSON.stringify({
      model: body.fields?.model,
      prompt: body.fields?.prompt,
      pictures: body.files?.map((file) => file.sha256),
    });
  const retouch = describe(options.retouch);
  const aiSdk = describe(options.aiSdk);
  if (retouch !== aiSdk) {
    throw new Error(`overhead: the two clients sent different edits: Retouch ${retouch}, AI SDK ${aiSdk}`);
  }
}

/** Paired rounds of Retouch (measured) against the AI SDK (baseline), with the simulator's count. */
export type AiSdkComparison = ServedRounds;

/** Measures Retouch's Eden AI edit against the AI SDK's at the same endpoint. */
export async function measureAgainstAiSdk(options: {
  edits: number;
  roundsPerArm: number;
  warmupEditsPerArm: number;
}): Promise<AiSdkComparison> {
  // No rate limit: the figure is CPU per edit, and a 429 would measure the limit instead.
  const simulator = await startSimulatorProcess({ provider: 'edenai', options: { rateLimit: false } });
  // The AI SDK logs each warning to the console; none are expected, and the bench prints its own lines.
  (globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
  const { model, prompt, picture } = referenceEdit;
  // Multipart, as the AI SDK sends; a rate far above what the simulator serves, so the lane never waits
  // on it (Eden AI's documented 10/s would measure the wait).
  const retouch = createRetouch({
    providers: [createEdenAI({ apiKey: simulator.apiKey, baseURL: simulator.url, transport: 'multipart' })],
    limits: { edenai: { concurrency: OVERHEAD_CONCURRENCY, requestsPerSecond: 100_000 } },
  });
  const openai = createOpenAI({ apiKey: simulator.apiKey, baseURL: `${simulator.url}/v3` });
  try {
    const retouchEdit = async (): Promise<boolean> => {
      const result = await retouch.edit({ model: `edenai:${model}`, prompt, images: [picture] });
      return typeof result.images[0]?.base64 === 'string';
    };
    const aiSdkEdit = async (): Promise<boolean> => {
      const result = await generateImage({
        model: openai.image(model),
        prompt: { text: prompt, images: [picture] },
      });
      return typeof result.images[0]?.base64 === 'string';
    };
    // Retouch reads Eden AI's model catalogue once, before its first edit; the warm-up covers it.
    await retouchEdit();
    checkSameWork({
      retouch: await recordOneEdit({ simulator, edit: retouchEdit, what: 'Retouch' }),
      aiSdk: await recordOneEdit({ simulator, edit: aiSdkEdit, what: 'AI SDK' }),
    });
    return await measureServedRounds({
      simulator,
      editRoute: EDIT_ROUTE,
      measured: retouchEdit,
      baseline: aiSdkEdit,
      concurrency: OVERHEAD_CONCURRENCY,
      edits: options.edits,
      roundsPerArm: options.roundsPerArm,
      warmupEditsPerArm: options.warmupEditsPerArm,
    });
  } finally {
    await retouch.close();
    await simulator.close();
  }
}
