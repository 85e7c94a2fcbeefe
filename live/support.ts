import { createTestImage } from '@retouch/simulator';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));

/** The problems of `value` against one of the derived schemas of `contract/schemas`, as lines. */
export function schemaProblems(schema: object, value: unknown): string[] {
  const validate = ajv.compile(schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '(body)'} ${error.message ?? ''}`);
}

/** A 256×256 picture with some content, and a neutral mask of its left half (white = edit). */
export function pictureAndMask(): { picture: Uint8Array; mask: Uint8Array } {
  const picture = createTestImage({
    width: 256,
    height: 256,
    color: ({ x, y }) => [x, y, 255 - x, 255],
  });
  const mask = createTestImage({
    width: 256,
    height: 256,
    color: ({ x }) => (x < 128 ? [255, 255, 255, 255] : [0, 0, 0, 255]),
  });
  return { picture, mask };
}

/** Whether `bytes` start like a PNG, JPEG or WebP file. */
export function isImage(bytes: Uint8Array): boolean {
  const ascii = String.fromCharCode(...bytes.subarray(0, 12));
  return (
    (bytes[0] === 0x89 && ascii.slice(1, 4) === 'PNG') ||
    (bytes[0] === 0xff && bytes[1] === 0xd8) ||
    ascii.slice(8, 12) === 'WEBP'
  );
}
