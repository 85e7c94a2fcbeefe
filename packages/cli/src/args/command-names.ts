/** The commands of `retouch`. */
export const COMMANDS = ['edit', 'compare', 'batch', 'worker', 'ledger', 'models', 'demo'] as const;

/** A command name. */
export type CommandName = (typeof COMMANDS)[number];

/** Whether `value` names one of the {@link COMMANDS}. */
export function isCommand(value: string): value is CommandName {
  return (COMMANDS as readonly string[]).includes(value);
}
