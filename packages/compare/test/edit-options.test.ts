import { describe, expect, it } from 'vitest';
import { NEUTRAL_EDIT_OPTION_KEYS, pickEditOptions } from '../src/edit-options.ts';

describe('pickEditOptions', () => {
  it('takes each option from the first source that gives it: flags before the config file', () => {
    const flags = { size: '1024x1024', n: 2, images: ['photo.png'], prompt: 'a hat' };
    const config = { size: '512x512', quality: 'high' as const, seed: 7, models: [], repeat: 3 };
    expect(pickEditOptions([flags, config])).toEqual({ size: '1024x1024', quality: 'high', n: 2, seed: 7 });
  });

  it('keeps a zero seed, drops an empty string without falling back, and skips missing sources', () => {
    expect(pickEditOptions([{ seed: 0, negativePrompt: '' }, undefined, { negativePrompt: 'blur' }])).toEqual(
      {
        seed: 0,
      },
    );
  });

  it('lists the options in request order', () => {
    const picked = pickEditOptions([
      {
        negativePrompt: 'blur',
        seed: 1,
        n: 1,
        outputFormat: 'png',
        quality: 'low',
        aspectRatio: '1:1',
        size: 'auto',
      },
    ]);
    expect(Object.keys(picked)).toEqual([...NEUTRAL_EDIT_OPTION_KEYS]);
  });
});
