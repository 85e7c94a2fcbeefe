/** One run of a batch: from its start to its last journal record. */
interface RunSpan {
  start: number;
  last: number;
}

/**
 * The runs of a batch as its journal records them, so that times can leave out the downtime between
 * a run that stopped (a crash, Ctrl-C) and the next one: a batch run twice over a night took the two
 * runs' time, not the night.
 */
export class RunSpans {
  readonly #spans: RunSpan[] = [];

  /** A run starts at `at` (epoch ms). */
  start(at: number): void {
    this.#spans.push({ start: at, last: at });
  }

  /** The current run wrote a record at `at`. */
  saw(at: number): void {
    const current = this.#spans.at(-1);
    if (current === undefined) this.start(at);
    else if (at > current.last) current.last = at;
  }

  /** The time the runs were active, in ms: each earlier run to its last record, the current one to `now`. */
  activeMs(now: number): number {
    return this.#spans.reduce(
      (total, span, index) =>
        total + Math.max(0, (index === this.#spans.length - 1 ? now : span.last) - span.start),
      0,
    );
  }

  /** The downtime (between one run's last record and the next run's start) within `from`..`to`, in ms. */
  downtimeBetween(from: number, to: number): number {
    let downtime = 0;
    for (let index = 1; index < this.#spans.length; index++) {
      const gapStart = Math.max(from, this.#spans[index - 1]!.last);
      const gapEnd = Math.min(to, this.#spans[index]!.start);
      if (gapEnd > gapStart) downtime += gapEnd - gapStart;
    }
    return downtime;
  }
}
