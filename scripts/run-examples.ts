/**
 * Runs examples against local simulators of Oxen.ai, Eden AI and OpenAI: no keys, no network, no cost.
 * Outputs go to `.retouch-out/` in the current folder.
 *
 * Usage: pnpm example [name ...]   (all of them when no name is given)
 * Example: pnpm example swap-provider
 */
import { exampleNames, runExample, startExampleWorld } from './lib/examples.ts';

const known = exampleNames();
const requested = process.argv.slice(2).map((name) => name.replace(/^examples\//, '').replace(/\.ts$/, ''));
const unknown = requested.filter((name) => !known.includes(name));
if (unknown.length > 0) {
  console.error(`No example named ${unknown.join(', ')}. The examples are: ${known.join(', ')}`);
  process.exit(1);
}

const world = await startExampleWorld();
let failed = false;
try {
  for (const name of requested.length > 0 ? requested : known) {
    console.log(`\n$ examples/${name}.ts`);
    const result = await runExample({ name, world, cwd: process.cwd(), echo: true });
    if (result.exitCode !== 0) {
      console.error(`examples/${name}.ts exited with ${result.exitCode}`);
      failed = true;
    }
  }
} finally {
  await world.close();
}
if (failed) process.exitCode = 1;
