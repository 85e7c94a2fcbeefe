import { createPixelWorkerPool, type PixelWorkerPool } from './pixel-worker-pool.ts';

/**
 * How long the threads outlive the last comparison that used them. A script that runs comparisons one
 * after another keeps threads whose compiled pixel loops are already fast; idle, they never hold the
 * process open.
 */
const IDLE_MS = 15_000;

let shared: PixelWorkerPool | undefined;
let users = 0;
let idleTimer: NodeJS.Timeout | undefined;

/**
 * The process's pixel threads, for one comparison: call `release` when it ends. The threads stop
 * once no comparison has used them for a while.
 */
export function usePixelWorkerPool(): { pool: PixelWorkerPool; release: () => void } {
  clearTimeout(idleTimer);
  idleTimer = undefined;
  shared ??= createPixelWorkerPool();
  const pool = shared;
  users += 1;
  let released = false;
  return {
    pool,
    release: () => {
      if (released) return;
      released = true;
      users -= 1;
      if (users > 0) return;
      idleTimer = setTimeout(() => {
        if (shared === pool) shared = undefined;
        void pool.close();
      }, IDLE_MS);
      idleTimer.unref();
    },
  };
}
