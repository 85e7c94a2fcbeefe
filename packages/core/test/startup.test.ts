import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);

test("importing @retouch/core does not load Node's fetch implementation; the first request does", async () => {
  // A program that imports Retouch and has not sent anything should not pay for the HTTP stack at
  // start-up. Node lists the internal modules it has loaded; its fetch lives in undici.
  const script = `
    const core = await import('@retouch/core');
    const atImport = process.moduleLoadList.some((name) => name.includes('undici'));
    const http = core.createHttpClient({ provider: 'probe', baseURL: 'http://127.0.0.1:9', apiKey: 'probe-key-123456' });
    await http.request({ method: 'GET', path: '/' }).catch(() => undefined);
    const afterRequest = process.moduleLoadList.some((name) => name.includes('undici'));
    console.log(JSON.stringify({ atImport, afterRequest }));
  `;
  const { stdout } = await run(
    process.execPath,
    ['--conditions=@retouch/source', '--input-type=module', '--eval', script],
    { cwd: fileURLToPath(new URL('..', import.meta.url)) },
  );
  expect(JSON.parse(stdout.trim())).toEqual({ atImport: false, afterRequest: true });
});
