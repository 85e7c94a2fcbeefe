import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { roundUsd } from './values.ts';

/** What a simulator has billed since it started (or, with a state directory, since that was made). */
export interface BillingReport {
  /** Requests accepted for paid work. */
  billableRequests: number;
  /** What the accepted work cost, USD. */
  billedUsd: number;
  /** Billable requests by route, e.g. `{ "POST /api/ai/queue": 3 }`. */
  byRoute: Record<string, number>;
}

/**
 * The simulator's bill: every billable request and every charge, never cleared with the recording, so
 * `GET /__retouch/billing` and the banner on exit tell what a run would have cost. With a `file`, it
 * is kept there and read back on start, so a restarted simulator keeps counting.
 */
export class BillingLedger {
  #report: BillingReport = { billableRequests: 0, billedUsd: 0, byRoute: {} };
  readonly #file: string | undefined;

  constructor(options: { file?: string | undefined } = {}) {
    this.#file = options.file;
    if (this.#file) {
      mkdirSync(dirname(this.#file), { recursive: true });
      try {
        this.#report = JSON.parse(readFileSync(this.#file, 'utf8')) as BillingReport;
      } catch {
        // No bill yet: this state directory is new.
      }
    }
  }

  /** A request was accepted for paid work. */
  recordBillable(route: string): void {
    this.#report.billableRequests += 1;
    this.#report.byRoute[route] = (this.#report.byRoute[route] ?? 0) + 1;
    this.#save();
  }

  /** Accepted work was charged. */
  recordCharge(usd: number): void {
    this.#report.billedUsd = roundUsd(this.#report.billedUsd + usd);
    this.#save();
  }

  /** A copy of the bill so far. */
  report(): BillingReport {
    return { ...this.#report, byRoute: { ...this.#report.byRoute } };
  }

  #save(): void {
    if (!this.#file) return;
    // Written whole and renamed into place, so a crash never leaves half a bill.
    writeFileSync(`${this.#file}.tmp`, JSON.stringify(this.#report));
    renameSync(`${this.#file}.tmp`, this.#file);
  }
}
