import type { SpendEntry } from '@retouch/core';
import type { OxenBilledGeneration } from '@retouch/provider-oxen';

/** How far before the first send Oxen's records are read by default: its times are whole seconds. */
export const RANGE_MARGIN_MS = 60_000;
/** How far Oxen's clock may be from this machine's, in ms: its times are whole seconds. */
const CLOCK_SKEW_MS = 10_000;
/** The longest a generation may be taken after its request left: a wait in Oxen's intake. */
const LATEST_TAKE_MS = 10 * 60_000;
/** Costs closer than this are the same. */
const SAME_USD = 1e-6;

/**
 * What the ledger's keeper recorded of an edit's send, by billing key: a batch's journal, or a queued
 * job's data. `line` and `key` are a batch's.
 */
export interface LedgerSend {
  model: string | undefined;
  prompt: string | undefined;
  /** When it left, in epoch ms. */
  at: number;
  /** The provider's job id, once the provider accepted it. */
  providerJobId?: string;
  /** The manifest line, from 1. */
  line?: number;
  /** The line's content key. */
  key?: string;
}

/** A ledger entry and the generation Oxen recorded for it. */
export interface LedgerMatch {
  /** The manifest line, from 1, when the journal knows it. */
  line: number | undefined;
  entry: SpendEntry;
  generation: OxenBilledGeneration;
}

/**
 * Why a possibly billed entry stays unmatched: no generation of Oxen's records can be its request
 * (`absent`), several can (`ambiguous`), the one that is its request failed without a charge
 * (`unbilled`), or the journal holds too little of its request to look for it (`unmatchable`).
 */
export type UnmatchedReason = 'absent' | 'ambiguous' | 'unbilled' | 'unmatchable';

/** A possibly billed entry that matched no billed generation, and why. */
export interface UnmatchedEntry {
  line: number | undefined;
  entry: SpendEntry;
  reason: UnmatchedReason;
  /** With `unbilled`: the generation that is its request. */
  generation?: OxenBilledGeneration;
  /** With `ambiguous`: how many generations could be its request. */
  candidates?: number;
}

/** What a batch's ledger says against what Oxen billed. */
export interface LedgerComparison {
  /** Settled in the ledger and billed by Oxen: the cost the ledger charged is `entry.costUsd`. */
  matched: LedgerMatch[];
  /** Matched, but the ledger charged another amount than Oxen billed. */
  costDiffers: LedgerMatch[];
  /** Possibly billed in the ledger and not found in Oxen's records (or not told apart there). */
  possiblyBilled: UnmatchedEntry[];
  /**
   * Billed by Oxen and never delivered: a generation of the batch that no settled entry accounts for.
   * `entry` is the ledger's possibly billed entry for it, when there is one.
   */
  orphans: {
    line: number | undefined;
    key: string | undefined;
    entry?: SpendEntry;
    generation: OxenBilledGeneration;
  }[];
  /** Settled in the ledger, but Oxen's records hold no generation for it. */
  missing: { line: number | undefined; entry: SpendEntry }[];
  /** Generations in the range that are not the batch's (other work on the account). */
  others: number;
  /** Whether everything matched. */
  ok: boolean;
}

/**
 * Matches a batch's Oxen entries with the generations Oxen recorded over the range. An entry finds
 * its generation by the provider job id the journal recorded, else by model, prompt and time: the
 * one generation of that model and prompt taken from when the request left (less the clock skew) to
 * ten minutes later. A match must be unambiguous; two candidates leave the entry unmatched.
 */
export function compareLedger(options: {
  entries: readonly SpendEntry[];
  sends: ReadonlyMap<string, LedgerSend>;
  generations: readonly OxenBilledGeneration[];
}): LedgerComparison {
  const claimed = new Set<string>();
  const byId = new Map(options.generations.map((generation) => [generation.generationId, generation]));
  const find = (entry: SpendEntry): Lookup => {
    const send = options.sends.get(entry.key);
    const id = entry.providerJobId ?? send?.providerJobId;
    const known = id === undefined ? undefined : byId.get(id);
    if (known && !claimed.has(known.generationId)) {
      claimed.add(known.generationId);
      return { generation: known, candidates: 1 };
    }
    if (!send || send.prompt === undefined) return { candidates: 0, unmatchable: true };
    const candidates = options.generations.filter(
      (generation) =>
        !claimed.has(generation.generationId) &&
        sameModel(generation, entry.model) &&
        generation.prompt === send.prompt &&
        generation.createdAt.getTime() >= send.at - CLOCK_SKEW_MS &&
        generation.createdAt.getTime() <= send.at + LATEST_TAKE_MS,
    );
    if (candidates.length !== 1) return { candidates: candidates.length };
    claimed.add(candidates[0]!.generationId);
    return { generation: candidates[0], candidates: 1 };
  };
  const lineOf = (key: string): number | undefined => options.sends.get(key)?.line;
  const oxen = options.entries.filter((entry) => entry.model.startsWith('oxen:'));
  const comparison: LedgerComparison = {
    matched: [],
    costDiffers: [],
    possiblyBilled: [],
    orphans: [],
    missing: [],
    others: 0,
    ok: true,
  };
  // Settled entries first: what was delivered claims its generation before a possibly billed one.
  for (const entry of oxen.filter((item) => item.state === 'settled')) {
    const { generation } = find(entry);
    const line = lineOf(entry.key);
    if (!generation) comparison.missing.push({ line, entry });
    else if (Math.abs((generation.costUsd ?? 0) - (entry.costUsd ?? 0)) > SAME_USD) {
      comparison.costDiffers.push({ line, entry, generation });
    } else comparison.matched.push({ line, entry, generation });
  }
  for (const entry of oxen.filter((item) => item.state === 'possibly-billed')) {
    const lookup = find(entry);
    const { generation } = lookup;
    const line = lineOf(entry.key);
    if (generation && billed(generation)) {
      comparison.orphans.push({ line, key: options.sends.get(entry.key)?.key, entry, generation });
    } else if (generation) comparison.possiblyBilled.push({ line, entry, reason: 'unbilled', generation });
    else if (lookup.unmatchable) comparison.possiblyBilled.push({ line, entry, reason: 'unmatchable' });
    else if (lookup.candidates > 1) {
      comparison.possiblyBilled.push({ line, entry, reason: 'ambiguous', candidates: lookup.candidates });
    } else comparison.possiblyBilled.push({ line, entry, reason: 'absent' });
  }
  // The batch's generations no entry accounts for: billed, with no record of the send's answer.
  const prompts = new Map<string, LedgerSend>();
  for (const send of options.sends.values()) if (send.prompt !== undefined) prompts.set(send.prompt, send);
  for (const generation of options.generations) {
    if (claimed.has(generation.generationId)) continue;
    const send = generation.prompt === undefined ? undefined : prompts.get(generation.prompt);
    if (send && sameModel(generation, send.model ?? '') && billed(generation)) {
      comparison.orphans.push({ line: send.line, key: send.key, generation });
    } else comparison.others++;
  }
  comparison.ok =
    comparison.costDiffers.length === 0 &&
    comparison.possiblyBilled.length === 0 &&
    comparison.orphans.length === 0 &&
    comparison.missing.length === 0;
  return comparison;
}

/** What looking an entry up in Oxen's records found. */
interface Lookup {
  generation?: OxenBilledGeneration | undefined;
  /** How many unclaimed generations could be the entry's request. */
  candidates: number;
  /** True when the journal holds too little of the request to look for it. */
  unmatchable?: boolean;
}

/** Whether Oxen billed the generation: it succeeded, runs, or reports a cost. */
function billed(generation: OxenBilledGeneration): boolean {
  return generation.status !== 'failed' && generation.status !== 'cancelled'
    ? true
    : (generation.costUsd ?? 0) > 0;
}

/** Whether Oxen's model name is the entry's `oxen:<model>`. */
function sameModel(generation: OxenBilledGeneration, model: string): boolean {
  return generation.model === undefined || `oxen:${generation.model}` === model;
}
