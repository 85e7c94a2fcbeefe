/**
 * Runs before every test file of this suite: it watches console output for API keys and collects
 * unhandled rejections, and after the file it asserts that neither happened.
 */
import { afterAll, expect } from 'vitest';
import { leaks, watchOutput } from './support/secrets.ts';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
process.on('unhandledRejection', onUnhandled);
const stopWatching = watchOutput();

afterAll(async () => {
  // A rejection left unhandled by the last test surfaces a tick later.
  await new Promise((resolve) => setTimeout(resolve, 50));
  stopWatching();
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled, 'unhandled rejections').toEqual([]);
  expect(
    leaks().map((leak) => `${leak.where}: …${leak.excerpt}…`),
    'API keys found where a user could see them',
  ).toEqual([]);
});
