import type { FlagReader, FlagSpecs } from '../args/flag-reader.ts';
import { DEMO_REPEAT_RULE } from '../number-rules.ts';

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
  const repeat = flag.number('repeat', DEMO_REPEAT_RULE);
  if (repeat !== undefined) options.repeat = repeat;
  return options;
}
