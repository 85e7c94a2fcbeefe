import { describe, expect, it } from 'vitest';
import { formatUsd } from '../src/format.ts';

describe('formatUsd', () => {
  it('keeps four decimals from a cent up, and two significant digits below', () => {
    expect([0, 0.053, 0.04, 1.053, 20, 0.00083].map(formatUsd)).toEqual([
      '$0',
      '$0.0530',
      '$0.0400',
      '$1.0530',
      '$20.0000',
      '$0.00083',
    ]);
  });
});
