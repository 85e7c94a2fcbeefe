import { describe, expect, it } from 'vitest';
import { visibleLength } from '../src/ansi.ts';
import { createProgressDisplay } from '../src/progress.ts';
import { collector } from './support/io.ts';

function clock() {
  let now = 0;
  return { now: () => now, advance: (milliseconds: number) => (now += milliseconds) };
}

describe('progress display', () => {
  it('writes plain lines for starts, retries and results when not on a terminal', () => {
    const stream = collector();
    const time = clock();
    const display = createProgressDisplay({
      stream,
      labels: ['oxen:qwen-image-edit', 'edenai:openai/gpt-image-2'],
      repeat: 2,
      interactive: false,
      color: false,
      now: time.now,
    });
    display.update({ type: 'queued', row: 0, repeat: 1 });
    display.update({ type: 'started', row: 0, repeat: 1 });
    time.advance(500);
    display.update({
      type: 'retrying',
      row: 1,
      repeat: 2,
      attempt: 2,
      delayMs: 1000,
      reason: 'rate limited (429)',
    });
    time.advance(1000);
    display.update({ type: 'succeeded', row: 0, repeat: 1, latencyMs: 1500, costUsd: 0.03, images: 1 });
    display.update({ type: 'failed', row: 1, repeat: 2, message: 'ApiCallError: 500' });
    display.finish();
    expect(stream.text).toBe(
      [
        'Running 4 edits over 2 models',
        '[   0ms] oxen:qwen-image-edit #1 started',
        '[ 500ms] edenai:openai/gpt-image-2 #2 retrying (attempt 2, in 1.00s): rate limited (429)',
        '[ 1.50s] oxen:qwen-image-edit #1 done in 1.50s, $0.0300, 1 image',
        '[ 1.50s] edenai:openai/gpt-image-2 #2 failed: ApiCallError: 500',
        '',
      ].join('\n'),
    );
  });

  it('redraws one line per model in place on a terminal', () => {
    const stream = collector({ isTTY: true, columns: 100 });
    const time = clock();
    const display = createProgressDisplay({
      stream,
      labels: ['oxen:qwen-image-edit', 'edenai:openai/gpt-image-2'],
      repeat: 1,
      interactive: true,
      color: false,
      now: time.now,
      refreshMs: 60_000,
    });
    display.update({ type: 'started', row: 0, repeat: 1 });
    display.update({ type: 'retrying', row: 0, repeat: 1 });
    time.advance(1234);
    display.update({ type: 'succeeded', row: 0, repeat: 1, latencyMs: 1234, images: 1 });
    display.update({ type: 'failed', row: 1, repeat: 1, message: 'boom' });
    display.finish();
    const frames = stream.text.split('\u001b[2A');
    // The first frame is drawn at once, then one redraw per update and a last one on finish.
    expect(frames).toHaveLength(6);
    const last = frames.at(-1)!.replaceAll('\u001b[2K', '').split('\n');
    expect(last[0]).toMatch(/^✔ oxen:qwen-image-edit {7}done +1\.23s {2}1 retry$/);
    expect(last[1]).toMatch(/^✖ edenai:openai\/gpt-image-2 {2}failed +0ms$/);
    // The elapsed times end in the same column.
    expect(last[0]!.indexOf('1.23s') + 5).toBe(last[1]!.indexOf('0ms') + 3);
    // No line wraps: a wrapped line would break the redraw.
    expect(stream.text.split('\n').every((line) => visibleLength(line) <= 99)).toBe(true);
  });
});
