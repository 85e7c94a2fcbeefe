import { describeError } from '../describe-error.ts';
import { UsageError } from '../usage-error.ts';
import type { CommandName } from './command-names.ts';
import type { FlagSpecs } from './flag-reader.ts';

/** Turns node:util's parse errors into one-line messages in the CLI's own words. */
export function translateParseError(options: {
  command: CommandName;
  /** The flags the command takes. */
  flags: FlagSpecs;
  error: unknown;
}): UsageError {
  const { command, flags, error } = options;
  const code = (error as { code?: string }).code;
  const { message } = describeError(error);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const name = quoted.split(/[\s=]/)[0] ?? quoted;
      const hint = suggestFlag({ command, flags, name });
      return new UsageError({
        command,
        message: `unknown option ${name} for "retouch ${command}"${hint ? `; did you mean ${hint}?` : ''}`,
      });
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const long = /--([a-z-]+)/.exec(message)?.[1];
      if (long && flags[long]?.type === 'boolean') {
        return new UsageError({ command, message: `--${long} takes no value` });
      }
      return new UsageError({
        command,
        message: `--${long ?? quoted} needs a value (for a value starting with "-", write --${long ?? quoted}=<value>)`,
      });
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError({
        command,
        message: `unexpected argument "${quoted}"; every value follows its flag, e.g. --image ${quoted}`,
      });
    default:
      return new UsageError({ command, message });
  }
}

function suggestFlag(options: { command: CommandName; flags: FlagSpecs; name: string }): string | undefined {
  const bare = options.name.replace(/^-+/, '');
  const known = Object.keys(options.flags);
  const aliases: Record<string, string> = {
    aspect_ratio: 'aspect-ratio',
    aspectRatio: 'aspect-ratio',
    budget: 'budget-usd',
    images: 'image',
    model: options.command === 'compare' ? 'models' : 'model',
    output: 'out',
    'out-dir': 'out',
    repeats: 'repeat',
  };
  const alias = aliases[bare];
  if (alias && known.includes(alias)) return `--${alias}`;
  const close = known.find((candidate) => distance(candidate, bare) <= 2);
  return close ? `--${close}` : undefined;
}

/** Levenshtein distance, for "did you mean". */
function distance(left: string, right: string): number {
  const row = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i += 1) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= right.length; j += 1) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (left[i - 1] === right[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[right.length]!;
}
