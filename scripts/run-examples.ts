/**
 * Runs examples against local simulators of Oxen.ai, Eden AI and OpenAI: no keys, no network, no cost.
 * Outputs go to `.retouch-out/` in the current folder.
 *
 * Usage: pnpm example [name ...]   (all of them when no name is given)
 * Example: pnpm example swap-provider
 */
import { exampleNames, REDIS_EXAMPLES, runExample, startExampleWorld } from './lib/examples.ts';
import { hasRedisServer, type RedisServer, startRedisServer } from './lib/redis-server.ts';

const known = exampleNames();
const requested = process.argv.slice(2).map((name) => name.replace(/^examples\//, '').replace(/\.ts$/, ''));
const unknown = requested.filter((name) => !known.includes(name));
if (unknown.length > 0) {
  console.error(`No example named ${unknown.join(', ')}. The examples are: ${known.join(', ')}`);
  process.exit(1);
}

const world = await startExampleWorld();
let redis: RedisServer | undefined;
let failed = false;
try {
  for (const name of requested.length > 0 ? requested : known) {
    console.log(`\n$ examples/${name}.ts`);
    let env: Record<string, string> = {};
    if (REDIS_EXAMPLES.includes(name)) {
      if (process.env.REDIS_URL) {
        env = { REDIS_URL: process.env.REDIS_URL };
      } else if (hasRedisServer) {
        redis ??= await startRedisServer();
        env = { REDIS_URL: redis.url };
      } else {
        console.log('skipped: it needs Redis; set REDIS_URL, or install redis-server');
        continue;
      }
    }
    const result = await runExample({ name, world, cwd: process.cwd(), echo: true, env });
    if (result.exitCode !== 0) {
      console.error(`examples/${name}.ts exited with ${result.exitCode}`);
      failed = true;
    }
  }
} finally {
  await world.close();
  await redis?.stop();
}
if (failed) process.exitCode = 1;
