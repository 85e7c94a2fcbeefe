/**
 * The timers a simulator starts to delay its answers, kept so that `close()` can clear them: a closed
 * simulator must not answer later, nor keep a test process waiting.
 */
export class PendingTimers {
  readonly #timers = new Set<NodeJS.Timeout>();

  /** Resolves after `milliseconds`, at once when it is zero or less. */
  delay(milliseconds: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (milliseconds <= 0) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, milliseconds);
      // A delayed answer must not keep the process alive on its own.
      timer.unref();
      this.#timers.add(timer);
    });
  }

  /** Clears every timer still pending; their promises never settle. */
  clear(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
