import type { FlagReader, FlagSpecs } from '../args/flag-reader.ts';

/** `retouch demo` options. */
export interface DemoCommandOptions {
  json: boolean;
  out?: string;
  repeat?: number;
}

/** The flags of `retouch demo`. */
export const DEMO_COMMAND_FLAGS: FlagSpecs = {
  // Accepted for symmetry with the other commands: the demo always runs on the simulators.
  simulate: { type: 'boolean' },
  json: { type: 'boolean' },
  out: { type: 'string' },
  repeat: { type: 'string', short: 'r' },
  help: { type: 'boolean', short: 'h' },
};

/** Reads `retouch demo`'s flags. */
export function parseDemoArgs(flag: FlagReader): DemoCommandOptions {
  const options: DemoCommandOptions = { json: flag.boolean('json') };
  const out = flag.string('out');
  if (out !== undefined) options.out = out;
  const repeat = flag.integer('repeat', { min: 1, max: 10 });
  if (repeat !== undefined) options.repeat = repeat;
  return options;
}
