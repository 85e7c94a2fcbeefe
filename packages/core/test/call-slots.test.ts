import { describe, expect, test } from 'vitest';
import { CallSlots } from '../src/dispatcher/call-slots.ts';

/** A task that finishes when told to, recording when it started. */
function controllable(started: string[], name: string) {
  let finish!: (value: string) => void;
  const done = new Promise<string>((resolve) => {
    finish = resolve;
  });
  return {
    task: () => {
      started.push(name);
      return done;
    },
    finish: () => finish(name),
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('CallSlots', () => {
  test('runs at most `concurrency` calls; the rest start by priority, then in arrival order', async () => {
    const slots = new CallSlots({ concurrency: 1 });
    const started: string[] = [];
    const signal = new AbortController().signal;
    const first = controllable(started, 'first');
    const low = controllable(started, 'low');
    const highA = controllable(started, 'high-a');
    const highB = controllable(started, 'high-b');
    const results = [
      slots.add(first.task, { priority: 0, signal }),
      slots.add(low.task, { priority: 0, signal }),
      slots.add(highA.task, { priority: 5, signal }),
      slots.add(highB.task, { priority: 5, signal }),
    ];
    expect(started).toEqual(['first']);
    expect([slots.pending, slots.size]).toEqual([1, 3]);
    for (const call of [first, highA, highB, low]) {
      call.finish();
      await tick();
    }
    expect(started).toEqual(['first', 'high-a', 'high-b', 'low']);
    expect(await Promise.all(results)).toEqual(['first', 'low', 'high-a', 'high-b']);
    expect([slots.pending, slots.size]).toEqual([0, 0]);
  });

  test('a waiting call whose signal aborts is dropped; a running one gives its slot back at once', async () => {
    const slots = new CallSlots({ concurrency: 1 });
    const started: string[] = [];
    const running = new AbortController();
    const waiting = new AbortController();
    const hung = controllable(started, 'hung');
    const dropped = controllable(started, 'dropped');
    const next = controllable(started, 'next');
    const hungCall = slots.add(hung.task, { priority: 0, signal: running.signal });
    const droppedCall = slots.add(dropped.task, { priority: 0, signal: waiting.signal });
    const nextCall = slots.add(next.task, { priority: 0, signal: new AbortController().signal });
    waiting.abort(new Error('gave up waiting'));
    await expect(droppedCall).rejects.toThrow('gave up waiting');
    running.abort(new Error('gave up running'));
    await expect(hungCall).rejects.toThrow('gave up running');
    await tick();
    expect(started).toEqual(['hung', 'next']);
    next.finish();
    expect(await nextCall).toBe('next');
  });

  test('an aborted signal never starts; clear rejects the waiting calls and pause stops new starts', async () => {
    const slots = new CallSlots({ concurrency: 1 });
    const aborted = AbortSignal.abort(new Error('already'));
    await expect(slots.add(async () => 'x', { priority: 0, signal: aborted })).rejects.toThrow('already');
    const started: string[] = [];
    const signal = new AbortController().signal;
    const first = controllable(started, 'first');
    const firstCall = slots.add(first.task, { priority: 0, signal });
    const queued = slots.add(async () => 'queued', { priority: 0, signal });
    slots.pause();
    slots.clear();
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    first.finish();
    expect(await firstCall).toBe('first');
    await tick();
    expect(started).toEqual(['first']);
  });
});
