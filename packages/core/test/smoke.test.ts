import { normalizeEditRequest } from '@retouch/core';
import { expect, test } from 'vitest';

test('a URL request normalizes', async () => {
  const request = await normalizeEditRequest({
    model: 'oxen:qwen-image-edit',
    prompt: 'hat',
    images: ['https://example.com/a.png'],
  });
  expect(request.provider).toBe('oxen');
  expect(request.images[0]).toEqual({ kind: 'url', url: 'https://example.com/a.png' });
});
