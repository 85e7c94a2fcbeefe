import type { BatchJournal } from '../batch/journal.ts';
import type { LedgerComparison } from './compare-ledger.ts';
import { type DeliveredGeneration, deliverGeneration } from './deliver-generation.ts';

/** What `--recover` did with one orphan. */
export type RecoveredOrphan = DeliveredGeneration;

/**
 * Downloads each orphan's outputs into `outDir/outputs/` and settles it in the batch's ledger at
 * Oxen's cost (see {@link deliverGeneration}), so the next `retouch batch` run reports its line done.
 */
export async function recoverOrphans(options: {
  journal: BatchJournal;
  orphans: LedgerComparison['orphans'];
  outDir: string;
}): Promise<RecoveredOrphan[]> {
  const recovered: RecoveredOrphan[] = [];
  for (const orphan of options.orphans) {
    recovered.push(
      await deliverGeneration({
        journal: options.journal,
        generation: orphan.generation,
        line: orphan.line,
        key: orphan.key,
        entry: orphan.entry,
        outDir: options.outDir,
      }),
    );
  }
  return recovered;
}
