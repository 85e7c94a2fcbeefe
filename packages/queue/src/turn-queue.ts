import PQueue from 'p-queue';

/** What a turn hands its caller: what the caller waited for, or why there is none. */
export type Turn<T> = { value: T } | { error: unknown };

/**
 * The callers of one process waiting for something a loop gets from Redis one at a time (a call slot,
 * a place in the request window). They wait in a p-queue: highest priority first, then first come, and
 * a caller whose signal aborts leaves at once, rejected with the signal's reason. The queue stays
 * paused and runs one task per turn the loop hands out, so each goes to whoever is first when it
 * comes, a caller that arrived meanwhile with a higher priority included.
 */
export class TurnQueue<T> {
  readonly #waiting = new PQueue({ concurrency: 1, autoStart: false });
  /** The turn being handed out, until the first caller's task takes it. */
  #turn: Turn<T> | undefined;
  /** Set once every caller is let through without waiting. */
  #open: (() => T) | undefined;

  /** How many callers wait. */
  get size(): number {
    return this.#waiting.size;
  }

  /** Waits for a turn; rejects with the signal's reason if it aborts first. */
  wait(options: { priority: number; signal: AbortSignal | undefined }): Promise<T> {
    return this.#waiting.add(() => this.#take(), {
      priority: options.priority,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** Calls `listener` whenever a caller leaves: it had its turn, or gave up. */
  onLeave(listener: () => void): void {
    this.#waiting.addEventListener('next', listener);
  }

  /**
   * Hands `turn` to the first waiting caller; resolves with whether one took it, once that caller's
   * task has ended, so the queue is free for the next turn.
   */
  async handOut(turn: Turn<T>): Promise<boolean> {
    if (this.#open) return false;
    this.#turn = turn;
    this.#waiting.start();
    this.#waiting.pause();
    const taken = this.#turn === undefined;
    this.#turn = undefined;
    await this.#waiting.onPendingZero();
    return taken;
  }

  /** Lets every caller, waiting now or later, through at once with `value()`. */
  open(value: () => T): void {
    this.#open = value;
    this.#waiting.concurrency = Number.POSITIVE_INFINITY;
    this.#waiting.start();
  }

  #take(): T {
    if (this.#open) return this.#open();
    const turn = this.#turn;
    this.#turn = undefined;
    if (turn === undefined) throw new Error('a turn was taken twice');
    if ('error' in turn) throw turn.error;
    return turn.value;
  }
}
