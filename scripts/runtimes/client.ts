/**
 * The scenario's entry on Node, Bun and Deno: `<runtime> scripts/runtimes/client.ts '<settings JSON>'`.
 * Prints one `RESULT <json>` line for the harness, which judges it.
 */
import { runScenario, type ScenarioSettings } from './scenario.ts';

interface RuntimeGlobals {
  Deno?: { args: string[] };
  process?: { argv: string[] };
}

const runtime = globalThis as RuntimeGlobals;
const argument = runtime.Deno?.args[0] ?? runtime.process?.argv[2];
if (argument === undefined) throw new Error("usage: client.ts '<settings JSON>'");
const outcomes = await runScenario(JSON.parse(argument) as ScenarioSettings);
console.log(`RESULT ${JSON.stringify(outcomes)}`);
