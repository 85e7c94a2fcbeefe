import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, temporaryDirectory } from './support/io.ts';

describe('retouch compare --judge', () => {
  it('names the missing key before sending any edit', async () => {
    const cwd = await temporaryDirectory();
    await writeFile(
      join(cwd, 'photo.png'),
      Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'),
    );
    const result = await run(
      [
        'compare',
        '--simulate',
        '--models',
        'oxen:qwen-image-edit',
        '--prompt',
        'Add a moon',
        '--image',
        'photo.png',
        '--judge',
        'openai:gpt-4.1-mini',
      ],
      { cwd },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--judge openai:gpt-4.1-mini needs OPENAI_API_KEY in the environment');
    expect(result.stderr).not.toContain('Running');
  });
});
