import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

describe('retouch-simulator bin', () => {
  it('starts the simulators, prints their URLs and keys, answers, and stops on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      [bin, '--oxen-port', '0', '--edenai-port', '0', '--openai-port', '0', '--oxen-key', 'k-oxen'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (data: Buffer) => {
      output += data.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 10_000;
    while (!output.includes('Ctrl+C') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(output).toContain('key: k-oxen');
    expect(output).toContain('key: sim-edenai-key');
    const oxenUrl = /Oxen\.ai\s+(http:\/\/\S+)/.exec(output)![1]!;
    const edenUrl = /Eden AI\s+(http:\/\/\S+)/.exec(output)![1]!;
    const openaiUrl = /OpenAI\s+(http:\/\/\S+)/.exec(output)![1]!;
    const models = await fetch(`${oxenUrl}/api/ai/models`, { headers: { Authorization: 'Bearer k-oxen' } });
    expect(models.status).toBe(200);
    expect((await fetch(`${edenUrl}/v3/models`)).status).toBe(200);
    expect(output).toContain('key: sim-openai-key');
    const unauthorized = await fetch(`${openaiUrl}/v1/images/edits`, { method: 'POST' });
    expect(unauthorized.status).toBe(401);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('refuses a bad port with a clear message', async () => {
    const child = spawn(process.execPath, [bin, '--oxen-port', 'abc'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (data: Buffer) => {
      errors += data.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(errors).toContain('Invalid port "abc"');
  });
});
