import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { comparePixels, type PixelComparison, type PixelReference } from './compare-pixels.ts';
import type { PixelComparer } from './measure-output.ts';
import type { PixelThreadAnswer, PixelThreadRequest } from './pixel-worker-protocol.ts';
import type { Raster } from './raster.ts';

/** The thread entry beside this file: TypeScript when run from source, JavaScript once built. */
const THREAD_ENTRY = new URL(
  `./pixel-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

/** Threads that compare pixels for one comparison. */
export interface PixelWorkerPool {
  /** Starts the threads and hands them the reference, so they are loaded when the first output arrives. */
  prepare(reference: PixelReference): void;
  /** Compares an output on the first free thread. */
  compare: PixelComparer;
  /** Lets the threads drop a reference no comparison will use again. */
  forget(reference: PixelReference): void;
  /** Stops the threads; comparisons still waiting are refused. */
  close(): Promise<void>;
  /** How many threads are running (0 before the first comparison, or where threads cannot start). */
  readonly threads: number;
}

interface Job {
  reference: PixelReference;
  output: Raster;
  smallOutput?: Raster;
  resolve(comparison: PixelComparison): void;
  reject(error: Error): void;
}

interface Thread {
  worker: Worker;
  /** It has loaded; until then a failure means threads cannot run here at all. */
  ready: boolean;
  /** The references it holds, by id. */
  references: Set<number>;
  job?: Job;
}

/**
 * A pool of `size` threads (the machine's available parallelism by default), started on the first
 * `prepare` or `compare`. pixelmatch and ssim.js are synchronous JavaScript: on the main thread, each
 * output's comparison would hold back the other edits' answers. An idle thread does not keep the
 * process alive. Where threads cannot start, the comparisons run on the calling thread, with the
 * same results.
 */
export function createPixelWorkerPool(
  options: {
    size?: number;
    /** The threads' entry file. @default pixel-worker beside this file */
    entry?: URL;
  } = {},
): PixelWorkerPool {
  const size = Math.max(1, options.size ?? availableParallelism());
  const entry = options.entry ?? THREAD_ENTRY;
  const threads: Thread[] = [];
  const queue: Job[] = [];
  const referenceIds = new WeakMap<PixelReference, number>();
  let nextReferenceId = 0;
  let onThisThread = false;
  let closed = false;

  const send = (to: { thread: Thread; request: PixelThreadRequest }) =>
    to.thread.worker.postMessage(to.request);

  const hand = ({ thread, reference }: { thread: Thread; reference: PixelReference }): number => {
    let id = referenceIds.get(reference);
    if (id === undefined) {
      id = nextReferenceId++;
      referenceIds.set(reference, id);
    }
    if (!thread.references.has(id)) {
      // Only the pixels travel: the reference may carry more than a thread needs.
      const { input, edited, insideCount, layers, similarity } = reference;
      const pixels = {
        input,
        insideCount,
        layers,
        ...(edited ? { edited } : {}),
        ...(similarity ? { similarity } : {}),
      };
      send({ thread, request: { kind: 'reference', id, reference: pixels } });
      thread.references.add(id);
    }
    return id;
  };

  const fail = ({ thread, error }: { thread: Thread; error: Error }) => {
    const index = threads.indexOf(thread);
    if (index === -1) return;
    threads.splice(index, 1);
    void thread.worker.terminate();
    const job = thread.job;
    thread.job = undefined;
    if (!thread.ready) {
      onThisThread = true;
      if (job) queue.unshift(job);
    } else {
      job?.reject(error);
    }
    dispatch();
  };

  const start = (): Thread | undefined => {
    let worker: Worker;
    try {
      worker = new Worker(entry);
    } catch {
      onThisThread = true;
      return undefined;
    }
    worker.unref();
    const thread: Thread = { worker, ready: false, references: new Set() };
    worker.on('message', (answer: PixelThreadAnswer) => {
      if (answer.kind === 'ready') {
        thread.ready = true;
        return;
      }
      const job = thread.job;
      thread.job = undefined;
      thread.worker.unref();
      if (answer.kind === 'compared') job?.resolve(answer.comparison);
      else job?.reject(new Error(answer.message));
      dispatch();
    });
    worker.on('error', (error) => fail({ thread, error }));
    worker.on('exit', (code) => {
      if (closed) return;
      fail({ thread, error: new Error(`the pixel comparison thread stopped with exit code ${code}`) });
    });
    threads.push(thread);
    return thread;
  };

  const dispatch = () => {
    while (!closed && queue.length > 0) {
      if (onThisThread) {
        const job = queue.shift()!;
        try {
          job.resolve(comparePixels(job));
        } catch (error) {
          job.reject(error instanceof Error ? error : new Error(String(error)));
        }
        continue;
      }
      const thread =
        threads.find((candidate) => candidate.job === undefined) ??
        (threads.length < size ? start() : undefined);
      if (thread === undefined) return;
      const job = queue.shift()!;
      thread.job = job;
      // A thread at work holds the process open until it answers; an idle one does not.
      thread.worker.ref();
      const reference = hand({ thread, reference: job.reference });
      send({
        thread,
        request: {
          kind: 'compare',
          reference,
          output: job.output,
          ...(job.smallOutput ? { smallOutput: job.smallOutput } : {}),
        },
      });
    }
  };

  return {
    get threads() {
      return threads.length;
    },
    prepare(reference) {
      while (!closed && !onThisThread && threads.length < size) {
        if (start() === undefined) break;
      }
      for (const thread of threads) hand({ thread, reference });
    },
    forget(reference) {
      const id = referenceIds.get(reference);
      if (id === undefined) return;
      referenceIds.delete(reference);
      for (const thread of threads) {
        if (thread.references.delete(id)) send({ thread, request: { kind: 'forget', id } });
      }
    },
    compare(job) {
      if (closed) return Promise.reject(new Error('the comparison has ended'));
      return new Promise<PixelComparison>((resolve, reject) => {
        queue.push({ ...job, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      const ended = new Error('the comparison has ended');
      for (const job of queue.splice(0)) job.reject(ended);
      for (const thread of threads) thread.job?.reject(ended);
      await Promise.all(threads.splice(0).map((thread) => thread.worker.terminate()));
    },
  };
}
