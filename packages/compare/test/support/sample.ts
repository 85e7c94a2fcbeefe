import { fileURLToPath } from 'node:url';

/** A 384×256 PNG landscape, the picture the CLI's demo edits. */
export const SAMPLE_IMAGE_PATH: string = fileURLToPath(new URL('../fixtures/sample.png', import.meta.url));
