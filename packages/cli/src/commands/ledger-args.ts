import type { FlagReader, FlagSpecs } from '../args/flag-reader.ts';

/** `retouch ledger` options. */
export interface LedgerCommandOptions {
  /** The batch's output directory, which holds its journal. */
  out: string;
  /** The start of the range, epoch ms; by default the batch's first send, less a minute. */
  from?: number;
  /** The end of the range, epoch ms; by default now. */
  to?: number;
  /** Download the orphans' outputs into the output directory and settle them. */
  recover: boolean;
  /** Print the comparison as JSON. */
  json: boolean;
}

/** The flags of `retouch ledger`. */
export const LEDGER_COMMAND_FLAGS: FlagSpecs = {
  out: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  recover: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/** Reads `retouch ledger`'s flags: `--out` is required, times are ISO 8601 or epoch milliseconds. */
export function parseLedgerArgs(flag: FlagReader): LedgerCommandOptions {
  const out = flag.string('out');
  if (out === undefined) {
    flag.fail('--out <dir> is required: the output directory of the batch to check (it holds journal.jsonl)');
  }
  const options: LedgerCommandOptions = { out, recover: flag.boolean('recover'), json: flag.boolean('json') };
  const time = (name: 'from' | 'to'): number | undefined => {
    const value = flag.string(name);
    if (value === undefined) return undefined;
    const ms = /^\d+$/.test(value.trim()) ? Number(value) : Date.parse(value);
    if (!Number.isFinite(ms)) {
      flag.fail(
        `--${name} must be a time such as 2026-12-08T00:00:00Z (or epoch milliseconds), not "${value}"`,
      );
    }
    return ms;
  };
  const from = time('from');
  if (from !== undefined) options.from = from;
  const to = time('to');
  if (to !== undefined) options.to = to;
  if (from !== undefined && to !== undefined && to < from) flag.fail('--to must not be before --from');
  return options;
}
