import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EdenAISimulator, type RecordedMultipartBody, startEdenAISimulator } from '../src/index.ts';
import { samplePng } from './helpers.ts';

let sim: EdenAISimulator;

beforeEach(async () => {
  sim = await startEdenAISimulator({ rateLimit: false, maxUploadBytes: 1000, maxMultipartBodyBytes: 4000 });
});
afterEach(async () => {
  await sim.close();
});

/** Sends `body` as it is, `chunkSize` bytes a write, and reads the answer. */
function send(options: {
  path: string;
  contentType: string;
  body: Buffer;
  chunkSize?: number;
}): Promise<{ status: number; json: unknown }> {
  const { body, chunkSize = body.length } = options;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${sim.url}${options.path}`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${sim.apiKey}`,
          'content-type': options.contentType,
          'content-length': String(body.length),
          // The parser is fed fields the upload form does not have (a repeated "tag"): the suite's
          // contract check (contract/) holds these bodies to nothing but their answers.
          'x-retouch-off-spec': 'multipart parser test bodies',
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    (async () => {
      for (let offset = 0; offset < body.length; offset += chunkSize) {
        outgoing.write(body.subarray(offset, offset + chunkSize));
        // Separate writes reach the server as separate chunks, splitting delimiters and headers anywhere.
        if (chunkSize < body.length) await new Promise((next) => setImmediate(next));
      }
      outgoing.end();
    })().catch(reject);
  });
}

const boundary = '----retouch-boundary-42';
const contentType = `multipart/form-data; boundary=${boundary}`;

/** File content that looks like a delimiter without being one, and binary bytes. */
const trickyContent = Buffer.concat([
  Buffer.from(`\r\n--${boundary.slice(0, -1)}x\r\n--`),
  Buffer.from([0, 255, 13, 10, 13, 10, 45, 45]),
  samplePng({ width: 3, height: 2 }),
]);

function uploadBody(options: { content?: Buffer; closing?: boolean } = {}): Buffer {
  const content = options.content ?? trickyContent;
  return Buffer.concat([
    Buffer.from('a preamble the parser skips\r\n'),
    Buffer.from(`--${boundary}\r\n`),
    Buffer.from('Content-Disposition: form-data; name="purpose"\r\n\r\nedit-input\r\n'),
    Buffer.from(`--${boundary}\r\n`),
    Buffer.from('Content-Disposition: form-data; name=tag\r\n\r\none\r\n'),
    Buffer.from(`--${boundary}\r\n`),
    Buffer.from('Content-Disposition: form-data; name="tag"\r\n\r\ntwo, with ünïcode\r\n'),
    Buffer.from(`--${boundary}\r\n`),
    Buffer.from('Content-Disposition: form-data; name="file"; filename="photo one.png"\r\n'),
    Buffer.from('Content-Type: image/png\r\n\r\n'),
    content,
    Buffer.from(`\r\n--${boundary}`),
    Buffer.from(options.closing === false ? '\r\n' : '--\r\nan epilogue the parser ignores\r\n'),
  ]);
}

describe('multipart bodies', () => {
  it.each([
    ['in one piece', undefined],
    ['a byte at a time', 1],
    ['in 7-byte pieces', 7],
  ])('reads text fields and file parts sent %s', async (_name, chunkSize) => {
    const { status, json } = await send({
      path: '/v3/upload',
      contentType,
      body: uploadBody(),
      ...(chunkSize === undefined ? {} : { chunkSize }),
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({ file_name: 'photo one.png', file_size: trickyContent.length });
    expect(sim.requests[0]!.body as RecordedMultipartBody).toEqual({
      fields: { purpose: 'edit-input', tag: ['one', 'two, with ünïcode'] },
      files: [
        {
          name: 'file',
          filename: 'photo one.png',
          contentType: 'image/png',
          size: trickyContent.length,
          sha256: createHash('sha256').update(trickyContent).digest('hex'),
          // Kept whole, whatever pieces the body arrived in.
          bytes: Buffer.from(trickyContent),
        },
      ],
    });
  });

  it('keeps an uploaded picture whole: an edit of it is an edit of that picture', async () => {
    const png = samplePng({ width: 4, height: 4 });
    const upload = await send({
      path: '/v3/upload',
      contentType,
      body: uploadBody({ content: png }),
      chunkSize: 5,
    });
    expect(upload.status).toBe(200);
    const fileId = (upload.json as { file_id: string }).file_id;
    const edit = await fetch(`${sim.url}/v3/images/edits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-image-2', prompt: 'x', images: [{ file_id: fileId }] }),
    });
    expect(edit.status).toBe(200);
    const { size } = (await edit.json()) as { size: string };
    expect(size).toBe('4x4');
  });

  it('a body that ends before its closing boundary is a validation error', async () => {
    const { status, json } = await send({
      path: '/v3/upload',
      contentType,
      body: uploadBody({ closing: false }),
    });
    expect(status).toBe(422);
    expect(json).toEqual({
      detail: [
        {
          type: 'value_error',
          loc: ['body'],
          msg: 'Value error, multipart body ended before its closing boundary',
        },
      ],
    });
  });

  it('a multipart content type without a boundary is a validation error', async () => {
    const { status, json } = await send({
      path: '/v3/upload',
      contentType: 'multipart/form-data',
      body: uploadBody(),
    });
    expect(status).toBe(422);
    expect(json).toEqual({
      detail: [{ type: 'value_error', loc: ['body'], msg: 'Value error, multipart body without a boundary' }],
    });
  });

  it('a file part over the route limit is 413, after the whole body was read', async () => {
    const { status, json } = await send({
      path: '/v3/upload',
      contentType,
      body: uploadBody({ content: Buffer.alloc(1500, 1) }),
      chunkSize: 100,
    });
    expect(status).toBe(413);
    expect(json).toEqual({ detail: 'Payload too large: file part "file" exceeds 1000 bytes' });
  });

  it('a body over the multipart limit is 413, after the whole body was read', async () => {
    const { status, json } = await send({
      path: '/v3/images/edits',
      contentType,
      body: uploadBody({ content: Buffer.alloc(5000, 1) }),
      chunkSize: 1000,
    });
    expect(status).toBe(413);
    expect(json).toEqual({ detail: 'Payload too large: request body exceeds 4000 bytes' });
  });
});
