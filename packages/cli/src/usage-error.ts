/**
 * The command line was wrong: an unknown flag, a missing or malformed value, a missing API key.
 * `main` prints its message on one line with a hint to `--help` and exits with code 2.
 *
 * @example
 * throw new UsageError({ message: '--repeat must be a whole number from 1 to 100', command: 'compare' });
 */
export class UsageError extends Error {
  /** Always `UsageError`. */
  override name = 'UsageError';
  /** The command whose `--help` the hint points to, when the error belongs to one. */
  readonly command: string | undefined;

  constructor(options: { message: string; command?: string }) {
    super(options.message);
    this.command = options.command;
  }

  /** True for a `UsageError`, also one thrown by another installed copy of this package. */
  static isInstance(error: unknown): error is UsageError {
    return error instanceof Error && error.name === 'UsageError';
  }
}
