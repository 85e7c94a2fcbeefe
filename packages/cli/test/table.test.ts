import { type CompareRow, formatLatency } from '@retouch/compare';
import { describe, expect, it } from 'vitest';
import { renderCompareTable, renderTable } from '../src/table.ts';

const row = (overrides: Partial<CompareRow>): CompareRow => ({
  label: 'oxen:qwen-image-edit',
  model: 'oxen:qwen-image-edit',
  provider: 'oxen',
  mode: 'sync',
  status: 'succeeded',
  runs: 1,
  succeeded: 1,
  failed: 0,
  images: 1,
  warnings: [],
  retries: 0,
  errors: [],
  ...overrides,
});

describe('renderCompareTable', () => {
  it('lines up every column under its header, numbers to the right', () => {
    const table = renderCompareTable({
      rows: [
        row({
          runs: 3,
          succeeded: 3,
          images: 3,
          latency: { medianMs: 1210, minMs: 1100, maxMs: 1320, p25Ms: 1150, p75Ms: 1270 },
          costPerEditUsd: 0.03,
          costPerImageUsd: 0.03,
          totalCostUsd: 0.09,
          costSource: 'reported',
          warnings: ['size was dropped'],
        }),
        row({
          label: 'edenai:openai/gpt-image-2',
          model: 'edenai:openai/gpt-image-2',
          provider: 'edenai',
          mode: 'multipart',
          status: 'partial',
          runs: 3,
          succeeded: 2,
          failed: 1,
          images: 4,
          latency: { medianMs: 850, minMs: 800, maxMs: 900, p25Ms: 825, p75Ms: 875 },
          costPerEditUsd: 0.106,
          costPerImageUsd: 0.053,
          totalCostUsd: 0.212,
          costSource: 'estimated',
        }),
        row({
          label: 'oxen:broken',
          model: 'oxen:broken',
          status: 'failed',
          succeeded: 0,
          failed: 1,
          images: 0,
        }),
      ],
    });
    expect(table).toBe(
      [
        'model                      provider  mode       status      latency (range)  cost/edit  cost/image  warnings',
        '-------------------------  --------  ---------  ------  -------------------  ---------  ----------  --------',
        'oxen:qwen-image-edit       oxen      sync       ok 3/3  1.21s (1.10s–1.32s)    $0.0300     $0.0300         1',
        'edenai:openai/gpt-image-2  edenai    multipart  2/3 ok  850ms (800ms–900ms)   ~$0.1060    ~$0.0530         0',
        'oxen:broken                oxen      sync       failed                    –          –           –         0',
        '',
      ].join('\n'),
    );
  });

  it('colours the status only when asked, without moving the columns', () => {
    const rows = [row({}), row({ label: 'x', status: 'failed', succeeded: 0, failed: 1 })];
    const plain = renderCompareTable({ rows });
    const colored = renderCompareTable({ rows, color: true });
    expect(plain).not.toContain('\u001b[');
    expect(colored).toContain('\u001b[32mok\u001b[39m');
    expect(colored).toContain('\u001b[31mfailed\u001b[39m');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing ANSI escapes.
    expect(colored.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain);
  });

  it('cuts over-long model names with an ellipsis', () => {
    const label = `edenai:${'very-long-model-name-'.repeat(4)}`;
    const table = renderCompareTable({ rows: [row({ label })] });
    const line = table.split('\n')[2]!;
    expect(line.startsWith(`${label.slice(0, 43)}…  oxen`)).toBe(true);
  });
});

describe('renderTable', () => {
  it('aligns right-aligned columns and trims trailing spaces', () => {
    expect(
      renderTable({
        columns: [{ header: 'name' }, { header: 'n', align: 'right' }, { header: 'note' }],
        rows: [
          ['a', '1', ''],
          ['bbb', '100', 'x'],
        ],
      }),
    ).toBe('name    n  note\n----  ---  ----\na       1\nbbb   100  x\n');
  });
});

describe('formatLatency', () => {
  it('shows the range only when runs differ', () => {
    expect(formatLatency(undefined)).toBe('–');
    expect(formatLatency({ medianMs: 950, minMs: 950, maxMs: 950, p25Ms: 950, p75Ms: 950 })).toBe('950ms');
    expect(
      formatLatency({ medianMs: 12_345, minMs: 9_000, maxMs: 75_000, p25Ms: 10_000, p75Ms: 20_000 }),
    ).toBe('12.3s (9.00s–1m15s)');
  });
});
