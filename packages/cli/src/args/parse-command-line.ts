import { parseArgs } from 'node:util';
import { BATCH_COMMAND_FLAGS, type BatchCommandOptions, parseBatchArgs } from '../commands/batch-args.ts';
import {
  COMPARE_COMMAND_FLAGS,
  type CompareCommandOptions,
  parseCompareArgs,
} from '../commands/compare-args.ts';
import { DEMO_COMMAND_FLAGS, type DemoCommandOptions, parseDemoArgs } from '../commands/demo-args.ts';
import { EDIT_COMMAND_FLAGS, type EditCommandOptions, parseEditArgs } from '../commands/edit-args.ts';
import { LEDGER_COMMAND_FLAGS, type LedgerCommandOptions, parseLedgerArgs } from '../commands/ledger-args.ts';
import { MODELS_COMMAND_FLAGS, type ModelsCommandOptions, parseModelsArgs } from '../commands/models-args.ts';
import { parseWorkerArgs, WORKER_COMMAND_FLAGS, type WorkerCommandOptions } from '../commands/worker-args.ts';
import { UsageError } from '../usage-error.ts';
import { COMMANDS, type CommandName, isCommand } from './command-names.ts';
import { FlagReader, type FlagSpecs, type FlagValues } from './flag-reader.ts';
import { translateParseError } from './parse-errors.ts';

/** What the command line asks for. */
export type ParsedCommandLine =
  | { command: 'help'; topic?: CommandName }
  | { command: 'version' }
  | { command: 'edit'; options: EditCommandOptions }
  | { command: 'compare'; options: CompareCommandOptions }
  | { command: 'batch'; options: BatchCommandOptions }
  | { command: 'worker'; options: WorkerCommandOptions }
  | { command: 'ledger'; options: LedgerCommandOptions }
  | { command: 'models'; options: ModelsCommandOptions }
  | { command: 'demo'; options: DemoCommandOptions };

const FLAGS: Record<CommandName, FlagSpecs> = {
  edit: EDIT_COMMAND_FLAGS,
  compare: COMPARE_COMMAND_FLAGS,
  batch: BATCH_COMMAND_FLAGS,
  worker: WORKER_COMMAND_FLAGS,
  ledger: LEDGER_COMMAND_FLAGS,
  models: MODELS_COMMAND_FLAGS,
  demo: DEMO_COMMAND_FLAGS,
};

/**
 * Parses `retouch` arguments (without `node` and the script) into a command and its typed options.
 * Throws {@link UsageError} with a one-line message for anything malformed: an unknown command or
 * flag, a missing or bad value. Checks that need files or the config (a missing `--prompt` for
 * `compare`) happen in the command.
 *
 * @example
 * parseCommandLine(['edit', '--model', 'oxen:qwen-image-edit', '--prompt', 'Add a hat', '--image', 'cat.png']);
 */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !isCommand(topic)) throw unknownCommand(topic);
    return topic === undefined ? { command: 'help' } : { command: 'help', topic };
  }
  if (first === '--version' || first === '-v') return { command: 'version' };
  if (!isCommand(first)) {
    if (first.startsWith('-')) {
      throw new UsageError({
        message: `${first} must follow a command: retouch <${COMMANDS.join('|')}> ${first}`,
      });
    }
    throw unknownCommand(first);
  }
  const command = first;
  const flag = readFlags({ command, argv: rest });
  if (flag.boolean('help')) return { command: 'help', topic: command };
  switch (command) {
    case 'edit':
      return { command, options: parseEditArgs(flag) };
    case 'compare':
      return { command, options: parseCompareArgs(flag) };
    case 'batch':
      return { command, options: parseBatchArgs(flag) };
    case 'worker':
      return { command, options: parseWorkerArgs(flag) };
    case 'ledger':
      return { command, options: parseLedgerArgs(flag) };
    case 'models':
      return { command, options: parseModelsArgs(flag) };
    case 'demo':
      return { command, options: parseDemoArgs(flag) };
  }
}

function unknownCommand(value: string): UsageError {
  return new UsageError({ message: `unknown command "${value}"; the commands are ${COMMANDS.join(', ')}` });
}

/** Splits a command's arguments into flags and positionals by the command's flag specs. */
function readFlags(options: { command: CommandName; argv: readonly string[] }): FlagReader {
  const { command } = options;
  try {
    const { values, positionals } = parseArgs({
      args: [...options.argv],
      options: FLAGS[command],
      strict: true,
      // Only batch takes an argument of its own: the manifest.
      allowPositionals: command === 'batch',
    });
    return new FlagReader({ command, values: values as FlagValues, positionals });
  } catch (error) {
    throw translateParseError({ command, flags: FLAGS[command], error });
  }
}
