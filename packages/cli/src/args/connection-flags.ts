import type { FlagReader, FlagSpecs } from './flag-reader.ts';

/** How the Oxen adapter runs edits. */
export type OxenMode = 'sync' | 'queue' | 'sse';

/** How the Eden AI adapter encodes edits. */
export type EdenAITransportName = 'auto' | 'json' | 'multipart';

/** Flags shared by the commands that talk to providers. */
export interface ConnectionFlags {
  /** Use in-process simulators instead of the real providers (no keys, no network). */
  simulate: boolean;
  /** Print machine-readable JSON on stdout instead of tables. */
  json: boolean;
  /** How the Oxen adapter runs edits (`--oxen-mode`). */
  oxenMode?: OxenMode;
  /** How the Eden AI adapter encodes edits (`--edenai-transport`). */
  edenaiTransport?: EdenAITransportName;
}

/** The flags of {@link ConnectionFlags}, with `--help`. */
export const CONNECTION_FLAG_SPECS: FlagSpecs = {
  simulate: { type: 'boolean' },
  json: { type: 'boolean' },
  'oxen-mode': { type: 'string' },
  'edenai-transport': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** Reads the {@link ConnectionFlags}. */
export function parseConnectionFlags(flag: FlagReader): ConnectionFlags {
  const connection: ConnectionFlags = { simulate: flag.boolean('simulate'), json: flag.boolean('json') };
  const oxenMode = flag.oneOf<OxenMode>('oxen-mode', ['sync', 'queue', 'sse']);
  if (oxenMode) connection.oxenMode = oxenMode;
  const transport = flag.oneOf<EdenAITransportName>('edenai-transport', ['auto', 'json', 'multipart']);
  if (transport) connection.edenaiTransport = transport;
  return connection;
}
