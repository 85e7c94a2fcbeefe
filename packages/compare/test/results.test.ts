import { describe, expect, it } from 'vitest';
import { type CompareResults, type CompareRun, resultsToJson, summarizeRuns } from '../src/results.ts';
import { CSV_COLUMNS, csvField, resultsToCsv } from '../src/results-csv.ts';
import { spreadOf } from '../src/statistics.ts';

const identity = {
  label: 'oxen:qwen-image-edit',
  model: 'oxen:qwen-image-edit',
  provider: 'oxen',
  mode: 'sync',
};

function run(overrides: Partial<CompareRun>): CompareRun {
  return {
    entry: 0,
    label: identity.label,
    model: identity.model,
    repeat: 1,
    status: 'succeeded',
    images: [{ file: 'outputs/a/run-1-1.png', mediaType: 'image/png', bytes: 10 }],
    warnings: [],
    retries: 0,
    ...overrides,
  };
}

describe('spreadOf', () => {
  it('gives the median, quartiles and range', () => {
    expect(spreadOf([])).toBeUndefined();
    expect(spreadOf([5])).toEqual({ median: 5, min: 5, max: 5, p25: 5, p75: 5, count: 1 });
    expect(spreadOf([1500, 900, 1200])).toEqual({
      median: 1200,
      min: 900,
      max: 1500,
      p25: 1050,
      p75: 1350,
      count: 3,
    });
    expect(spreadOf([4, 1, 3, 2])!.median).toBe(2.5);
  });
});

describe('summarizeRuns', () => {
  it('folds repeats into a row: median latency over successes, cost per edit and per image', () => {
    const runs = [
      run({
        repeat: 1,
        latencyMs: 1000,
        costUsd: 0.06,
        costSource: 'reported',
        images: [image(1), image(2)],
      }),
      run({
        repeat: 2,
        latencyMs: 3000,
        costUsd: 0.06,
        costSource: 'reported',
        images: [image(3), image(4)],
        retries: 2,
      }),
      run({
        repeat: 3,
        latencyMs: 2000,
        costUsd: 0.03,
        costSource: 'estimated',
        images: [image(5)],
        warnings: ['w'],
      }),
      run({
        repeat: 4,
        status: 'failed',
        images: [],
        warnings: ['w'],
        error: { name: 'TimeoutError', message: 'late' },
      }),
    ];
    const [row] = summarizeRuns({ entries: [identity], runs });
    expect(row).toEqual({
      ...identity,
      status: 'partial',
      runs: 4,
      succeeded: 3,
      failed: 1,
      latency: { medianMs: 2000, minMs: 1000, maxMs: 3000, p25Ms: 1500, p75Ms: 2500 },
      costPerEditUsd: 0.05,
      costPerImageUsd: 0.03,
      totalCostUsd: 0.15,
      costSource: 'estimated',
      images: 5,
      warnings: ['w'],
      retries: 2,
      errors: ['TimeoutError: late'],
    });
  });

  it('marks a model whose runs all failed, with no latency or cost', () => {
    const [row] = summarizeRuns({
      entries: [identity],
      runs: [run({ status: 'failed', images: [], error: { name: 'ApiCallError', message: '500' } })],
    });
    expect(row).toMatchObject({ status: 'failed', succeeded: 0, errors: ['ApiCallError: 500'] });
    expect(row!.latency).toBeUndefined();
    expect(row!.costPerImageUsd).toBeUndefined();
  });
});

function image(index: number) {
  return { file: `outputs/a/run-${index}.png`, mediaType: 'image/png', bytes: 100 };
}

describe('csvField', () => {
  it('quotes and doubles quotes only where needed', () => {
    expect(csvField(undefined)).toBe('');
    expect(csvField(0.053)).toBe('0.053');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
  });

  it('keeps spreadsheet formulas from running', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@sum')).toBe("'@sum");
  });
});

describe('results files', () => {
  const runs = [
    run({
      latencyMs: 1200,
      queuedMs: 200,
      runningMs: 1000,
      costUsd: 0.03,
      costSource: 'reported',
      warnings: ['size, dropped'],
    }),
    run({
      repeat: 2,
      status: 'failed',
      images: [],
      retries: 1,
      error: { name: 'ApiCallError', message: 'oxen: 500 "Internal"\nretry later' },
    }),
  ];
  const results: CompareResults = {
    schemaVersion: 1,
    createdAt: '2026-05-21T14:30:05.000Z',
    prompt: 'Add a "moon", please',
    inputs: [
      { source: 'in.png', file: 'inputs/1-in.png', mediaType: 'image/png', width: 4, height: 2, bytes: 99 },
    ],
    options: { repeat: 2 },
    simulated: true,
    summary: { models: 1, runs: 2, succeeded: 1, failed: 1, totalCostUsd: 0.03, wallTimeMs: 1500 },
    rows: summarizeRuns({ entries: [identity], runs }),
    runs,
  };

  it('writes one CSV line per run, RFC 4180 escaped, CRLF ended', () => {
    const csv = resultsToCsv(results);
    expect(csv.split('\r\n')).toEqual([
      CSV_COLUMNS.join(','),
      'oxen:qwen-image-edit,oxen:qwen-image-edit,oxen,sync,1,succeeded,1200,200,1000,0.03,reported,1,0.03,0,"size, dropped",,outputs/a/run-1-1.png',
      'oxen:qwen-image-edit,oxen:qwen-image-edit,oxen,sync,2,failed,,,,,,0,,1,,"ApiCallError: oxen: 500 ""Internal""\nretry later",',
      '',
    ]);
    expect(CSV_COLUMNS).toEqual([
      'label',
      'model',
      'provider',
      'mode',
      'repeat',
      'status',
      'latency_ms',
      'queued_ms',
      'running_ms',
      'cost_usd',
      'cost_source',
      'images',
      'cost_per_image_usd',
      'retries',
      'warnings',
      'error',
      'files',
    ]);
  });

  it('writes JSON that reads back to the same results', () => {
    const json = resultsToJson(results);
    expect(json.endsWith('}\n')).toBe(true);
    expect(JSON.parse(json)).toEqual(results);
  });
});
