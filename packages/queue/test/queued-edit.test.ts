import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidRequestError } from '@retouch/core';
import { describe, expect, test } from 'vitest';
import { toQueuedRequest } from '../src/queued-edit.ts';
import { resolveRedisConnection } from '../src/redis-connection.ts';
import { TINY_PNG } from './support/wire-provider.ts';

describe('a request in its queued form', () => {
  test('bytes and Blobs become data: URLs, paths become absolute, URLs pass', async () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const queued = await toQueuedRequest(
      {
        model: 'wire:model',
        prompt: 'x',
        images: [TINY_PNG, new Blob([TINY_PNG]), 'https://example.com/a.png'],
        mask: { path: resolve(here, '__fixtures__/pixel.png') },
        timeoutMs: 60_000,
      },
      { maxInlineBytes: 1_000 },
    );
    expect(queued.images[0]).toMatch(/^data:image\/png;base64,iVBOR/);
    expect(queued.images[1]).toBe(queued.images[0]);
    expect(queued.images[2]).toBe('https://example.com/a.png');
    expect(queued.mask).toEqual({ path: resolve(here, '__fixtures__/pixel.png') });
    expect(queued.timeoutMs).toBe(60_000);
    expect(JSON.parse(JSON.stringify(queued))).toEqual(queued);
  });

  test('a missing file is refused naming the field', async () => {
    const error = await toQueuedRequest(
      { model: 'wire:model', prompt: 'x', images: [{ path: '/no/such/picture.png' }] },
      { maxInlineBytes: 1_000 },
    ).catch((caught: unknown) => caught);
    expect(InvalidRequestError.isInstance(error)).toBe(true);
    expect((error as InvalidRequestError).issues[0]?.path).toBe('images.0');
  });
});

describe('a Redis connection', () => {
  test('a URL or parts, described without credentials', () => {
    expect(resolveRedisConnection('redis://user:pa%40ss@redis.internal:6380/2', 'x')).toEqual({
      options: { host: 'redis.internal', port: 6380, db: 2, username: 'user', password: 'pa@ss' },
      description: 'redis://redis.internal:6380/2',
    });
    expect(resolveRedisConnection('rediss://cache', 'x').options).toEqual({
      host: 'cache',
      port: 6379,
      db: 0,
      tls: {},
    });
    expect(resolveRedisConnection({ port: 7000, password: 'secret' }, 'x').description).toBe(
      'redis://127.0.0.1:7000/0',
    );
  });

  test('mistakes are named with their fix', () => {
    expect(() => resolveRedisConnection(undefined, 'where: connection')).toThrow(
      'where: connection is required: a redis:// URL',
    );
    expect(() => resolveRedisConnection('127.0.0.1:6379', 'c')).toThrow(/not a URL|redis:\/\//);
    expect(() => resolveRedisConnection({ hostname: 'x' }, 'c')).toThrow(/unknown key "hostname"/);
    expect(() => resolveRedisConnection({ db: -1 }, 'c')).toThrow(/\.db/);
  });
});
