import { readFileSync } from 'node:fs';
import { styles } from './ansi.ts';
import { parseCommandLine } from './args/parse-command-line.ts';
import { inCliWords } from './cli-words.ts';
import { runBatchCommand } from './commands/batch.ts';
import { runCompareCommand } from './commands/compare.ts';
import { runDemoCommand } from './commands/demo.ts';
import { runEditCommand } from './commands/edit.ts';
import { runLedgerCommand } from './commands/ledger.ts';
import { runModelsCommand } from './commands/models.ts';
import { runWorkerCommand } from './commands/worker.ts';
import { type CliContext, processContext, wantsColor } from './context.ts';
import { describeError, errorLine } from './describe-error.ts';
import { helpText } from './help.ts';
import { UsageError } from './usage-error.ts';

/** Exit codes of `retouch`. */
export const EXIT_CODES = {
  /** Every edit succeeded. */
  success: 0,
  /** Some edits failed (or the only one did). */
  editsFailed: 1,
  /** The command line was wrong, or a key is missing. */
  usage: 2,
  /** `retouch batch` was stopped (Ctrl-C) before every line settled; the same command finishes the rest. */
  stopped: 130,
} as const;

/**
 * Runs `retouch` with the given arguments and resolves with the exit code; never calls
 * `process.exit`, so it can run in-process (tests pass their own streams and environment).
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 *
 * @example
 * const code = await main(['demo', '--json'], { ...processContext(), stdout: collector });
 */
export async function main(argv: readonly string[], context: CliContext = processContext()): Promise<number> {
  const style = styles(wantsColor({ stream: context.stderr, env: context.env }));
  try {
    const parsed = parseCommandLine(argv);
    switch (parsed.command) {
      case 'help':
        context.stdout.write(helpText(parsed.topic));
        return EXIT_CODES.success;
      case 'version':
        context.stdout.write(`${packageVersion()}\n`);
        return EXIT_CODES.success;
      case 'edit':
        return await runEditCommand(parsed.options, context);
      case 'compare':
        return await runCompareCommand(parsed.options, context);
      case 'batch':
        return await runBatchCommand(parsed.options, context);
      case 'worker':
        return await runWorkerCommand(parsed.options, context);
      case 'ledger':
        return await runLedgerCommand(parsed.options, context);
      case 'models':
        return await runModelsCommand(parsed.options, context);
      case 'demo':
        return await runDemoCommand(parsed.options, context);
    }
  } catch (error) {
    // With --json, stdout stays one JSON document: the error as an object, the exit code as ever.
    if (argv.includes('--json')) {
      const usage = UsageError.isInstance(error);
      const described = usage
        ? { name: 'UsageError', message: inCliWords(error.message) }
        : describeError(error);
      context.stdout.write(`${JSON.stringify({ error: described }, null, 2)}\n`);
      return usage ? EXIT_CODES.usage : EXIT_CODES.editsFailed;
    }
    if (UsageError.isInstance(error)) {
      const command = (error as UsageError).command;
      context.stderr.write(
        `${style.red('error:')} ${inCliWords(error.message)}\n${style.dim(`Run "retouch ${command ? `${command} ` : ''}--help" for usage.`)}\n`,
      );
      return EXIT_CODES.usage;
    }
    context.stderr.write(`${style.red('error:')} ${errorLine(describeError(error))}\n`);
    return EXIT_CODES.editsFailed;
  }
}

function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
