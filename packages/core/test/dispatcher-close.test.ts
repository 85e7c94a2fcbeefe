import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRetouch, type EditRequest, JobCancelledError, RetouchError } from '@retouch/core';
import { describe, expect, test, vi } from 'vitest';
import { createFakeProvider } from './support/fake-provider.ts';

const closeScript = fileURLToPath(new URL('./support/close-script.ts', import.meta.url));
const idleScript = fileURLToPath(new URL('./support/idle-script.ts', import.meta.url));
const request: EditRequest = {
  model: 'fake:model-a',
  prompt: 'add a hat',
  images: ['https://example.com/cat.png'],
};

/** Runs the script under Node and reports how it ended; kills it if it has not exited within `limitMs`. */
function run(options: {
  script: string;
  limitMs: number;
}): Promise<{ code: number | null; exitedByItself: boolean; stdout: string; stderr: string }> {
  const { script, limitMs } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@retouch/source', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, exitedByItself: !killed, stdout, stderr });
    });
  });
}

describe('close()', () => {
  test('leaves no handle open: the process exits by itself with work pending everywhere', async () => {
    const { code, exitedByItself, stdout, stderr } = await run({ script: closeScript, limitMs: 8_000 });
    expect(stderr).toBe('');
    expect(exitedByItself).toBe(true);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.before.pausedForMs).toBeGreaterThan(60_000);
    expect(report.before.queued + report.before.running).toBe(5);
    expect(report.outcomes).toEqual({
      throttled: 'JobCancelledError',
      behind: 'JobCancelledError',
      submitted: 'JobCancelledError',
      waiting: 'JobCancelledError',
      streamed: 'JobCancelledError',
    });
    // A submitted job is left running for a later resume(); jobs of edit() calls are cancelled.
    expect(report.submittedJobCancelled).toBe(false);
    expect(report.editJobsCancelled).toEqual([true, true]);
    expect(report.adaptersClosed).toEqual([true, true, true]);
    expect(report.afterClose).toMatch(/client is closed; create a new one/);
  });

  test('is not needed to exit once nothing is pending: an aborted edit leaves no lane timer behind', async () => {
    const { code, exitedByItself, stdout, stderr } = await run({ script: idleScript, limitMs: 8_000 });
    expect(stderr).toBe('');
    expect(exitedByItself).toBe(true);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ paused: expect.any(Number), outcome: 'no longer needed', calls: 1 });
    expect(JSON.parse(stdout).paused).toBeGreaterThan(60_000);
  });

  test('is idempotent, and every call after it throws', async () => {
    const fake = createFakeProvider({ latencyMs: 1_000 });
    const retouch = createRetouch({ providers: [fake] });
    const inFlight = retouch.edit(request);
    await vi.waitFor(() => expect(fake.callsOf('edit')).toHaveLength(1));
    // Still being validated when close() is called: it never starts.
    const late = retouch.edit(request);
    const closing = retouch.close();
    expect(retouch.close()).toBe(closing);
    await closing;
    await expect(inFlight).rejects.toSatisfy((error) => JobCancelledError.isInstance(error));
    await expect(late).rejects.toThrow(/client is closed/);
    expect(fake.callsOf('edit')).toHaveLength(1);
    await expect(retouch.edit(request)).rejects.toSatisfy((error) => RetouchError.isInstance(error));
    await expect(retouch.submit(request)).rejects.toThrow(/client is closed/);
    await expect(retouch.estimate(request)).rejects.toThrow(/client is closed/);
    expect(() => retouch.editMany([request])).toThrow(/client is closed/);
    await expect(retouch.resume({})).rejects.toThrow(/client is closed/);
    expect(fake.closed).toBe(true);
    await retouch.onIdle();
  });
});
