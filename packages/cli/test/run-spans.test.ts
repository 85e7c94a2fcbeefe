import { describe, expect, it } from 'vitest';
import { RunSpans } from '../src/batch/run-spans.ts';

describe('RunSpans', () => {
  it('counts each run to its last record and leaves out the downtime between runs', () => {
    const runs = new RunSpans();
    runs.start(1_000);
    runs.saw(3_000);
    runs.saw(9_000); // killed after this record
    runs.start(100_000);
    runs.saw(104_000);
    expect(runs.activeMs(105_000)).toBe(8_000 + 5_000);
    // An edit sent at 5 s and collected at 104 s waited 4 s + 4 s, not 99 s.
    expect(104_000 - 5_000 - runs.downtimeBetween(5_000, 104_000)).toBe(8_000);
    expect(runs.downtimeBetween(100_500, 104_000)).toBe(0);
  });
});
