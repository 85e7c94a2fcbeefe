import { describe, expect, it } from 'vitest';
import { applySpendChange, fitsCap, type SpendEntry } from '../src/index.ts';

const held: SpendEntry = { key: 'a', model: 'p:m', state: 'reserved', estimateUsd: 0.05, updatedAt: 1 };

describe('applySpendChange', () => {
  it('holds within the cap, refuses past it, and inherits a held key without checking', () => {
    const change = { type: 'reserve', key: 'a', model: 'p:m', usd: 0.05, maxUsd: 1 } as const;
    expect(applySpendChange({ entry: undefined, change, committedUsd: 0.95, now: 2 })).toEqual({
      entry: { key: 'a', model: 'p:m', state: 'reserved', estimateUsd: 0.05, updatedAt: 2 },
      reservation: { ok: true, committedUsd: 0.95 },
    });
    expect(applySpendChange({ entry: undefined, change, committedUsd: 0.96, now: 2 })).toEqual({
      reservation: { ok: false, committedUsd: 0.96 },
    });
    expect(applySpendChange({ entry: held, change, committedUsd: 5, now: 2 })).toEqual({
      reservation: { ok: true, committedUsd: 5, inherited: 'reserved' },
    });
  });

  it('settles once, keeps an older entry without a model named, and never releases what is settled', () => {
    const settled = applySpendChange({
      entry: { ...held, model: '', state: 'possibly-billed' },
      change: { type: 'settle', key: 'a', model: 'p:m', usd: 0.04, providerJobId: 'g-1' },
      committedUsd: 0,
      now: 3,
    }).entry!;
    expect(settled).toEqual({
      key: 'a',
      model: 'p:m',
      state: 'settled',
      estimateUsd: 0.05,
      costUsd: 0.04,
      costSource: 'reported',
      providerJobId: 'g-1',
      updatedAt: 3,
    });
    const again = { type: 'settle', key: 'a', model: 'p:m' } as const;
    expect(applySpendChange({ entry: settled, change: again, committedUsd: 0, now: 4 })).toEqual({});
    const release = { type: 'release', key: 'a' } as const;
    expect(applySpendChange({ entry: settled, change: release, committedUsd: 0, now: 4 })).toEqual({});
    expect(applySpendChange({ entry: held, change: release, committedUsd: 0, now: 4 }).entry?.state).toBe(
      'released',
    );
  });

  it('marks only a reserved entry possibly billed', () => {
    const change = { type: 'mark-possibly-billed', key: 'a' } as const;
    expect(applySpendChange({ entry: held, change, committedUsd: 0, now: 5 }).entry?.state).toBe(
      'possibly-billed',
    );
    expect(applySpendChange({ entry: undefined, change, committedUsd: 0, now: 5 })).toEqual({});
  });
});

describe('fitsCap', () => {
  it('lets a sum that fits exactly through, a zero amount while below the cap, and anything without a cap', () => {
    expect(fitsCap({ committedUsd: 0.1 + 0.2, usd: 0.7, maxUsd: 1 })).toBe(true);
    expect(fitsCap({ committedUsd: 1, usd: 0, maxUsd: 1 })).toBe(false);
    expect(fitsCap({ committedUsd: 0.5, usd: 0, maxUsd: 1 })).toBe(true);
    expect(fitsCap({ committedUsd: 100, usd: 5, maxUsd: undefined })).toBe(true);
  });
});
