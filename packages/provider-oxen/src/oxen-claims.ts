import type { OxenListedGeneration } from './oxen-api.ts';

const MAX_REMEMBERED = 10_000;

/**
 * What this provider already accounts for in Oxen's records, so a lost answer is never matched to
 * another edit's generation: the generations it enqueued or recovered, the result URLs its sync
 * edits were answered with, and the billable requests still waiting for their answer (an identical
 * one in flight may be the one Oxen listed). Both lists are bounded, oldest forgotten first.
 */
export class OxenClaims {
  readonly #generationIds = new Set<string>();
  readonly #resultUrls = new Set<string>();
  readonly #inFlight = new Map<string, number>();

  /** Records generations this provider owns: enqueued, or found again. */
  claimGenerations(generationIds: readonly string[]): void {
    for (const id of generationIds) bounded(this.#generationIds, id);
  }

  /** Records the result URLs a sync edit was answered with. */
  claimResultUrls(urls: readonly (string | undefined)[]): void {
    for (const url of urls) if (url !== undefined) bounded(this.#resultUrls, url);
  }

  /** Whether a listed row belongs to an edit this provider already accounts for. */
  claimed(row: OxenListedGeneration): boolean {
    return (
      this.#generationIds.has(row.generation_id) ||
      (typeof row.result_url === 'string' && this.#resultUrls.has(row.result_url))
    );
  }

  /** Counts a billable request as sent and unanswered until the returned function is called. */
  send(body: Readonly<Record<string, unknown>>): () => void {
    const key = JSON.stringify(body);
    this.#inFlight.set(key, (this.#inFlight.get(key) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.#inFlight.get(key) ?? 1) - 1;
      if (left <= 0) this.#inFlight.delete(key);
      else this.#inFlight.set(key, left);
    };
  }

  /** How many identical requests besides the caller's own are still waiting for their answer. */
  othersInFlight(body: Readonly<Record<string, unknown>>): number {
    return Math.max(0, (this.#inFlight.get(JSON.stringify(body)) ?? 0) - 1);
  }
}

function bounded(set: Set<string>, value: string): void {
  set.delete(value);
  set.add(value);
  while (set.size > MAX_REMEMBERED) set.delete(set.values().next().value!);
}
