import type { CreditBalance } from '../shared/credit-balance.ts';
import { ImageDownloadError } from '../shared/image-source.ts';
import { type OxenImageInputs, renderOxenEdit } from './oxen-edit-render.ts';
import type { OxenEventHub } from './oxen-event-stream.ts';
import { findOxenModel } from './oxen-models.ts';
import { type OxenJobInfo, type OxenJobTiming, OxenQueue } from './oxen-queue.ts';
import { validateOxenParameters } from './oxen-validation.ts';

/** Options of {@link createOxenJobQueue}. */
export interface OxenJobQueueOptions {
  timing: (job: OxenJobInfo) => OxenJobTiming;
  inputs: OxenImageInputs;
  balance: CreditBalance;
  events: OxenEventHub;
  /** Where the job table is kept across restarts; in memory when omitted. */
  stateFile?: string | undefined;
  /** Told of each job that succeeds or fails, just before its completion event is sent. */
  onJobFinished?: ((job: { generationId: string; status: 'succeeded' | 'failed' }) => void) | undefined;
}

/**
 * The queue behind `POST /api/ai/queue`: a job checks its parameters and renders when its processing time
 * is up, is billed only when it succeeds, and its start and completion go out on the event stream.
 */
export function createOxenJobQueue(options: OxenJobQueueOptions): OxenQueue {
  const { events } = options;
  return new OxenQueue({
    timing: options.timing,
    stateFile: options.stateFile,
    run: async (job) => {
      if (job.failMessage !== undefined) throw new Error(job.failMessage);
      const model = findOxenModel(job.model)!;
      // Checked when the job runs, not when it is enqueued: Oxen accepts the job and fails it later.
      const problem = validateOxenParameters({ model, body: job.parameters });
      if (problem !== undefined) throw new Error(problem);
      let png: Buffer;
      try {
        png = await renderOxenEdit({ model, parameters: job.parameters, inputs: options.inputs });
      } catch (error) {
        if (error instanceof ImageDownloadError)
          throw new Error(`Error downloading input image: ${error.message}`);
        throw error;
      }
      if (!options.balance.chargeIfCovered(job.price)) throw new Error('Insufficient credits');
      return options.inputs.fileStore.put({ bytes: png, missing: job.resultMissing });
    },
    onStarted: (job) => events.publishStarted({ generationId: job.id, model: job.model }),
    onFinished: (job) => {
      if (job.status === 'succeeded' || job.status === 'failed') {
        options.onJobFinished?.({ generationId: job.id, status: job.status });
      }
      if (job.status === 'succeeded') {
        events.publishCompleted({
          generation_id: job.id,
          status: 'succeeded',
          media_type: 'image',
          model: job.model,
          url: job.resultUrl,
        });
      } else if (job.status === 'failed') {
        events.publishCompleted({
          generation_id: job.id,
          status: 'failed',
          media_type: 'image',
          error: job.errorMessage,
        });
      }
    },
  });
}
