import { resolve } from 'node:path';
import type { CompareModel } from '@retouch/compare';
import type { OxenJobInfo } from '@retouch/simulator';
import type { CliContext } from '../context.ts';
import { SAMPLE_IMAGE_PATH, SAMPLE_MASK_PATH } from '../sample.ts';
import { openProviderSession } from '../session.ts';
import { presentComparison } from './compare.ts';
import type { DemoCommandOptions } from './demo-args.ts';

/** The instruction the demo sends to every model. */
export const DEMO_PROMPT = 'Turn the sunset into a starry night and light a small cabin on the hill';

/** How long each simulated Oxen model queues and runs, so the models differ as real ones do. */
const OXEN_TIMINGS: Record<string, { queuedMs: number; processingMs: number }> = {
  'gpt-image-2': { queuedMs: 250, processingMs: 1500 },
  'flux-kontext-dev': { queuedMs: 400, processingMs: 900 },
};

/**
 * `retouch demo`: starts the Oxen and Eden AI simulators in this process and compares five models on
 * the sample picture, one per way an edit can travel: Oxen sync (one blocking request), Oxen SSE
 * (queue + event stream), Oxen queue (polled), Eden AI JSON (the picture uploaded first and sent by
 * file id) and Eden AI multipart (the file streamed in the body). No keys, no network.
 */
export async function runDemoCommand(options: DemoCommandOptions, context: CliContext): Promise<number> {
  const outDir = resolve(context.cwd, options.out ?? '.retouch-out/demo');
  const session = await openProviderSession({
    providers: ['oxen', 'edenai'],
    simulate: true,
    env: {},
    oxenMode: 'sync',
    edenaiTransport: 'multipart',
    oxenSimulator: {
      syncEditDelayMs: 700,
      jobSchedule: (job: OxenJobInfo) =>
        jitter(OXEN_TIMINGS[job.model] ?? { queuedMs: 200, processingMs: 1000 }),
    },
    edenaiSimulator: { editDelayMs: 1100 },
  });
  try {
    // One adapter per provider (Oxen sync, Eden AI multipart); the other paths are asked for per request.
    const models: CompareModel[] = [
      { model: 'oxen:qwen-image-edit', mode: 'sync' },
      { model: 'oxen:gpt-image-2', mode: 'sse', providerOptions: { oxen: { mode: 'sse' } } },
      { model: 'oxen:flux-kontext-dev', mode: 'queue', providerOptions: { oxen: { mode: 'queue' } } },
      {
        model: 'edenai:openai/gpt-image-1-mini',
        mode: 'json + upload',
        providerOptions: { edenai: { transport: 'json', upload: 'always' } },
      },
      // Gemini models take pictures inline (Eden has reported file_id edits refused for them).
      { model: 'edenai:google/gemini-2.5-flash-image', mode: 'multipart' },
    ];
    if (!options.json) {
      context.stderr.write(
        `Retouch demo: ${models.length} models, Oxen and Eden AI simulators on 127.0.0.1, no keys, no network\n`,
      );
    }
    return await presentComparison({
      context,
      json: options.json,
      session,
      compare: {
        providers: session.adapters,
        models,
        prompt: DEMO_PROMPT,
        images: [{ path: SAMPLE_IMAGE_PATH }],
        mask: { path: SAMPLE_MASK_PATH },
        editOptions: { aspectRatio: '3:2' },
        repeat: options.repeat ?? 2,
        outDir,
        simulated: true,
      },
    });
  } finally {
    await session.close();
  }
}

/** ±25 % around the nominal time, so repeats show a spread. */
function jitter(timing: { queuedMs: number; processingMs: number }): {
  queuedMs: number;
  processingMs: number;
} {
  const vary = (milliseconds: number) => Math.round(milliseconds * (0.75 + Math.random() * 0.5));
  return { queuedMs: vary(timing.queuedMs), processingMs: vary(timing.processingMs) };
}
