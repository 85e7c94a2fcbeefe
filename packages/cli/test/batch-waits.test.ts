import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type OxenSimulator, startOxenSimulator } from '@retouch/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { run, temporaryDirectory } from './support/io.ts';

let oxen: OxenSimulator;
beforeAll(async () => {
  oxen = await startOxenSimulator({ jobSchedule: { queuedMs: 0, processingMs: 0 } });
});
afterAll(async () => {
  await oxen.close();
});

describe('retouch batch without --redis is never silent', { timeout: 60_000 }, () => {
  it('says, during a retry delay over 5 s, what it waits for and the time left', async () => {
    const cwd = await temporaryDirectory();
    await copyFile(SAMPLE_IMAGE_PATH, join(cwd, 'photo.png'));
    await writeFile(
      join(cwd, 'manifest.jsonl'),
      `${JSON.stringify({ model: 'oxen:qwen-image-edit', prompt: 'Add a hat', images: ['photo.png'] })}\n`,
    );
    // The first enqueue is refused with a long Retry-After: the line waits 8 s before it is sent again.
    oxen.setFaults([{ route: 'POST /api/ai/queue', kind: 'rate-limit', retryAfterSeconds: 8, times: 1 }]);
    try {
      const result = await run(['batch', 'manifest.jsonl', '--out', 'out'], {
        cwd,
        env: { OXEN_API_KEY: oxen.apiKey, OXEN_BASE_URL: oxen.url },
      });
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/line 1 .*retrying \(in [78](\.\d+)?s\)[^\n]*429/);
      // Printed once nothing else was for 5 s, while about 3 s of the delay remain.
      expect(result.stderr).toMatch(
        /1 edit waiting to be retried, the next \(line 1\) in \d+(\.\d+)?m?s \(429 rate limited\); nothing changed for \d/,
      );
      expect(result.stdout).toContain('1 line: 1 succeeded');
    } finally {
      oxen.setFaults([]);
    }
  });
});
