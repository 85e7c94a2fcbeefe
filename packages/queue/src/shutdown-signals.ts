/** The signals a worker closes gracefully on. */
const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * SIGTERM and SIGINT as a request to close gracefully: the first starts the close, a second stops the
 * process at once, as it would have stopped without a worker listening.
 */
export class ShutdownSignals {
  readonly #onShutdown: () => void;
  readonly #listener = (signal: NodeJS.Signals): void => this.#hear(signal);
  #signalled = false;

  constructor(options: {
    /** Starts the graceful close. */
    onShutdown: () => void;
  }) {
    this.#onShutdown = options.onShutdown;
  }

  /** Starts listening. */
  listen(): void {
    for (const signal of SIGNALS) process.on(signal, this.#listener);
  }

  /** Stops listening. */
  stop(): void {
    for (const signal of SIGNALS) process.off(signal, this.#listener);
  }

  #hear(signal: NodeJS.Signals): void {
    if (this.#signalled) {
      this.stop();
      process.kill(process.pid, signal);
      return;
    }
    this.#signalled = true;
    this.#onShutdown();
  }
}
