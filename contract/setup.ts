import {
  observeSimulatorStreamEvents,
  observeSimulatorTraffic,
  type SimulatorExchange,
} from '@retouch/simulator';
import { afterAll, afterEach, beforeEach, type TestContext } from 'vitest';
import { type ContractViolation, checkExchange, formatViolations } from './contract.ts';
import { checkStreamEvent, formatStreamViolations, type StreamViolation } from './event-stream.ts';

/*
 * Every test project runs this first (vitest.config.ts): each simulator exchange of the suite is
 * checked against the providers' published specs, and a test during which one departed from them
 * fails, even when the adapter and the simulator agree with each other. Each event a simulator
 * streams is checked as it is written, and a departing one fails the running test at once: a
 * client that does not recognise an event waits for a fallback, not for an error.
 */

// On globalThis, so the suite's own tests (contract/*.test.ts) see the same lists as this file.
const PENDING = Symbol.for('retouch.contract.pending-exchanges');
const STREAM = Symbol.for('retouch.contract.stream-violations');
const holder = globalThis as { [PENDING]?: SimulatorExchange[]; [STREAM]?: StreamViolation[] };
holder[PENDING] ??= [];
holder[STREAM] ??= [];
const pending = holder[PENDING];
const streamViolations = holder[STREAM];

/** Aborts the running test, when one runs: set before each test, cleared after it. */
let abortRunningTest: ((reason: Error) => void) | undefined;

// Only kept here: the check runs after the test, off the simulators' answering path, so timing
// tests see the simulators as fast as without it.
observeSimulatorTraffic((exchange) => {
  pending.push(exchange);
});

observeSimulatorStreamEvents((event) => {
  const found = checkStreamEvent(event);
  if (found.length === 0) return;
  if (abortRunningTest) {
    abortRunningTest(new Error(formatStreamViolations(found)));
    return;
  }
  streamViolations.push(...found);
});

/** Checks the exchanges seen since the last check, and returns how they depart from the specs. */
export function takeContractViolations(): ContractViolation[] {
  return pending.splice(0).flatMap(checkExchange);
}

/** Takes the stream events seen outside a test that departed from the stream's contract. */
export function takeStreamViolations(): StreamViolation[] {
  return streamViolations.splice(0);
}

/**
 * Throws, naming each one, when traffic departed from the specs since the last check. What was
 * learned from refused requests counts only with `includeRefused` (a test that failed): a passing
 * test may have sent them on purpose.
 */
export function assertTrafficFollowsSpecs(options: { includeRefused?: boolean } = {}): void {
  const stream = takeStreamViolations();
  const found = takeContractViolations().filter((violation) => options.includeRefused || !violation.refused);
  const accounts = [
    ...(found.length > 0 ? [formatViolations(found)] : []),
    ...(stream.length > 0 ? [formatStreamViolations(stream)] : []),
  ];
  if (accounts.length > 0) throw new Error(accounts.join('\n\n'));
}

beforeEach((context: TestContext) => {
  // The test's own signal, joined with one this file can abort: the runner stops waiting for the
  // test function as soon as its context's signal aborts, with the reason as the test's error.
  const controller = new AbortController();
  abortRunningTest = (reason) => controller.abort(reason);
  (context as { signal: AbortSignal }).signal = AbortSignal.any([context.signal, controller.signal]);
});
afterEach((context: TestContext) => {
  abortRunningTest = undefined;
  assertTrafficFollowsSpecs({ includeRefused: context.task.result?.state === 'fail' });
});
afterAll(() => {
  abortRunningTest = undefined;
  assertTrafficFollowsSpecs();
});
