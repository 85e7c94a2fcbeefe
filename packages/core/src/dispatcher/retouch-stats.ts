import type { SpendLedger } from './budget.ts';
import type { DispatchJob } from './edit-job.ts';
import type { Lane, LaneStats } from './lane.ts';
import type { RetouchStats } from './retouch.ts';

/** The client's counts of settled jobs and retries, kept as jobs settle. */
export interface SettledCounts {
  succeeded: number;
  failed: number;
  cancelled: number;
  retries: number;
}

/** What `retouch.stats()` answers: the unsettled jobs by state, the settled counts, money and lanes. */
export function retouchStats(options: {
  active: Iterable<DispatchJob>;
  counts: SettledCounts;
  ledger: SpendLedger;
  lanes: ReadonlyMap<string, Lane>;
}): RetouchStats {
  let queued = 0;
  let running = 0;
  for (const job of options.active) {
    if (job.status === 'running') running++;
    else queued++;
  }
  const lanes: Record<string, LaneStats> = {};
  for (const [provider, lane] of options.lanes) lanes[provider] = lane.stats();
  return {
    queued,
    running,
    ...options.counts,
    spentUsd: options.ledger.spentUsd,
    possiblyBilledUsd: options.ledger.possiblyBilledUsd,
    reservedUsd: options.ledger.reservedUsd,
    lanes,
  };
}
