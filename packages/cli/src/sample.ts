import { fileURLToPath } from 'node:url';

/**
 * The picture the demo edits: a 384×256 PNG landscape shipped in the package (`assets/sample.png`),
 * resolved relative to this module so it works from the sources and from the published package.
 */
export const SAMPLE_IMAGE_PATH: string = fileURLToPath(new URL('../assets/sample.png', import.meta.url));
