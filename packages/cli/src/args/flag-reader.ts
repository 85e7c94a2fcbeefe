import { checkNumber, type NumberRule } from '../number-rules.ts';
import { UsageError } from '../usage-error.ts';
import type { CommandName } from './command-names.ts';

/** How node:util's parseArgs reads one flag. */
export type FlagSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };

/** The flags a command takes, by long name. */
export type FlagSpecs = Record<string, FlagSpec>;

/** The raw values node:util's parseArgs read, by long name. */
export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Reads and checks flag values, throwing a {@link UsageError} that names the flag. */
export class FlagReader {
  /** The arguments that follow no flag (only `batch` takes one: the manifest). */
  readonly positionals: readonly string[];
  readonly #command: CommandName;
  readonly #values: FlagValues;

  constructor(options: { command: CommandName; values: FlagValues; positionals?: readonly string[] }) {
    this.#command = options.command;
    this.#values = options.values;
    this.positionals = options.positionals ?? [];
  }

  /** Stops parsing with a usage error of this command. */
  fail(message: string): never {
    throw new UsageError({ command: this.#command, message });
  }

  /** A switch: true when given. */
  boolean(name: string): boolean {
    return this.#values[name] === true;
  }

  /** A non-empty text value, or `undefined` when the flag is absent. */
  string(name: string): string | undefined {
    const value = this.#values[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return this.fail(`--${name} needs a value`);
    if (value.trim() === '') return this.fail(`--${name} is empty`);
    return value;
  }

  /** Every value of a repeatable flag, none of them empty. */
  strings(name: string): string[] {
    const value = this.#values[name];
    if (value === undefined) return [];
    const list = (Array.isArray(value) ? value : [value]).map(String);
    if (list.some((item) => item.trim() === '')) this.fail(`--${name} is empty`);
    return list;
  }

  /** A value from a fixed list. */
  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      this.fail(`--${name} must be one of ${allowed.join(', ')}, not "${value}"`);
    }
    return value as T;
  }

  /**
   * A number that follows `rule`. A whole number is written in digits only (no sign, point or
   * exponent); any other may carry a leading `$`, as people write amounts.
   */
  number(name: string, rule: NumberRule): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const text = value.trim();
    const number = rule.whole
      ? /^\d+$/.test(text)
        ? Number(text)
        : Number.NaN
      : Number(text.replace(/^\$/, ''));
    const problem = checkNumber({ value: number, rule });
    if (problem) this.fail(`--${name} ${problem}, not "${value}"`);
    return number;
  }
}
