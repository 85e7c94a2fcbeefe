import { observeSimulatorTraffic, type SimulatorExchange } from '@retouch/simulator';
import { afterAll, afterEach } from 'vitest';
import { type ContractViolation, checkExchange, formatViolations } from './contract.ts';

/*
 * Every test project runs this first (vitest.config.ts): each simulator exchange of the suite is
 * checked against the providers' published specs, and a test during which one departed from them
 * fails, even when the adapter and the simulator agree with each other.
 */

// On globalThis, so the suite's own tests (contract/*.test.ts) see the same list as this file.
const PENDING = Symbol.for('retouch.contract.pending-exchanges');
const holder = globalThis as { [PENDING]?: SimulatorExchange[] };
holder[PENDING] ??= [];
const pending = holder[PENDING];

// Only kept here: the check runs after the test, off the simulators' answering path, so timing
// tests see the simulators as fast as without it.
observeSimulatorTraffic((exchange) => {
  pending.push(exchange);
});

/** Checks the exchanges seen since the last check, and returns how they depart from the specs. */
export function takeContractViolations(): ContractViolation[] {
  return pending.splice(0).flatMap(checkExchange);
}

/** Throws, naming each one, when traffic departed from the specs since the last check. */
export function assertTrafficFollowsSpecs(): void {
  const found = takeContractViolations();
  if (found.length > 0) throw new Error(formatViolations(found));
}

afterEach(() => {
  assertTrafficFollowsSpecs();
});
afterAll(() => {
  assertTrafficFollowsSpecs();
});
