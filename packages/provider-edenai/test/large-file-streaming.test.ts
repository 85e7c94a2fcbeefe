import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { pngBytes } from './helpers.ts';

const FILE_BYTES = 200 * 1024 * 1024;
const API_KEY = 'streaming-test-key-0123456789';
const script = fileURLToPath(new URL('./fixtures/send-large-file.ts', import.meta.url));

let directory: string;
let file: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'retouch-edenai-stream-'));
  file = join(directory, 'huge.png');
  // A PNG signature and header (enough for sniffing), then filler up to 200 MB.
  const stream = createWriteStream(file);
  const head = pngBytes();
  stream.write(head.subarray(0, 33));
  const filler = Buffer.alloc(4 * 1024 * 1024, 0x5a);
  let written = 33;
  while (written < FILE_BYTES) {
    const piece = filler.subarray(0, Math.min(filler.length, FILE_BYTES - written));
    if (!stream.write(piece)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
    written += piece.length;
  }
  await new Promise<void>((resolve, reject) =>
    stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

test('a 200 MB file goes through multipart while heap and external memory grow far less than its size', async () => {
  // The server only counts what arrives, so the measurement is the client's alone (it runs in a child).
  let received = 0;
  let head = '';
  let contentType = '';
  let authorization = '';
  const server = createServer((request, response) => {
    contentType = request.headers['content-type'] ?? '';
    authorization = request.headers.authorization ?? '';
    request.on('data', (data: Buffer) => {
      if (head.length < 4096) head += data.subarray(0, 4096).toString('latin1');
      received += data.length;
    });
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          created: 1779792103,
          data: [{ b64_json: Buffer.from(pngBytes()).toString('base64'), url: null, revised_prompt: null }],
          output_format: 'png',
          usage: { total_tokens: 10 },
          cost: 0.04,
          provider: 'openai',
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--conditions=@retouch/source', script, baseURL, API_KEY, file],
      { maxBuffer: 1024 * 1024, timeout: 240_000 },
    );
    const report = JSON.parse(stdout) as {
      growthBytes: number;
      samples: number;
      images: number;
      cost: unknown;
    };
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(authorization).toBe(`Bearer ${API_KEY}`);
    expect(head).toContain('name="image[]"; filename="huge.png"');
    expect(received).toBeGreaterThan(FILE_BYTES);
    expect(report.images).toBe(1);
    expect(report.cost).toEqual({ usd: 0.04, source: 'reported' });
    expect(report.samples).toBeGreaterThan(3);
    expect(report.growthBytes).toBeLessThan(50 * 1024 * 1024);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}, 300_000);
