import { describe, expect, it } from 'vitest';
import { createBatchProgress } from '../src/batch/batch-progress.ts';
import { collector } from './support/io.ts';

function clock() {
  let now = 0;
  return { now: () => now, advance: (milliseconds: number) => (now += milliseconds) };
}

describe('batch progress', () => {
  it('writes one plain line per result, retry and resumed line when not on a terminal', () => {
    const stream = collector();
    const time = clock();
    const progress = createBatchProgress({
      stream,
      total: 5,
      settled: 1,
      interactive: false,
      color: false,
      now: time.now,
    });
    progress.update({ type: 'started', line: 2, model: 'oxen:qwen-image-edit' });
    progress.update({ type: 'resumed', line: 3, model: 'oxen:gpt-image-2' });
    time.advance(700);
    progress.update({ type: 'retrying', line: 2, model: 'oxen:qwen-image-edit', message: 'rate limited' });
    progress.update({
      type: 'succeeded',
      line: 2,
      model: 'oxen:qwen-image-edit',
      latencyMs: 700,
      costUsd: 0.03,
    });
    time.advance(70_000);
    progress.update({
      type: 'failed',
      line: 3,
      model: 'oxen:gpt-image-2',
      message: 'TimeoutError: too slow',
    });
    progress.finish();
    progress.update({ type: 'started', line: 4, model: 'oxen:qwen-image-edit' });
    expect(stream.text).toBe(
      [
        'Running 4 edits (1 of 5 finished by an earlier run)',
        '[   0ms] line 3 oxen:gpt-image-2 resumed from the provider job an earlier run started',
        '[ 700ms] line 2 oxen:qwen-image-edit retrying: rate limited',
        '[ 700ms] line 2 oxen:qwen-image-edit done in 700ms, $0.0300 (2/5)',
        '[ 1m11s] line 3 oxen:gpt-image-2 failed: TimeoutError: too slow (3/5)',
        '',
      ].join('\n'),
    );
  });

  it('redraws one bar in place on a terminal and ends its line on finish', () => {
    const stream = collector({ isTTY: true });
    const time = clock();
    const progress = createBatchProgress({
      stream,
      total: 4,
      settled: 0,
      interactive: true,
      color: false,
      now: time.now,
      refreshMs: 60_000,
    });
    progress.update({ type: 'started', line: 1, model: 'oxen:qwen-image-edit' });
    time.advance(1500);
    progress.update({
      type: 'succeeded',
      line: 1,
      model: 'oxen:qwen-image-edit',
      latencyMs: 1500,
      costUsd: 0.5,
    });
    progress.update({ type: 'failed', line: 2, model: 'oxen:qwen-image-edit', message: 'boom' });
    progress.finish();
    const frames = stream.text.split('\r');
    // The first frame is drawn at once, then one redraw per update and a last one on finish.
    expect(frames).toHaveLength(5);
    expect(frames.at(-1)).toBe(
      `\u001b[2K⠋ [${'█'.repeat(12)}${'░'.repeat(12)}] 2/4 · 1 failed · $0.5000 · 1.50s\n`,
    );
  });
});
