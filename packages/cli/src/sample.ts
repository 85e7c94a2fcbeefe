import { fileURLToPath } from 'node:url';

/**
 * The picture the demo edits: a 384×256 PNG landscape shipped in the package (`assets/sample.png`),
 * resolved relative to this module so it works from the sources and from the published package.
 */
export const SAMPLE_IMAGE_PATH: string = fileURLToPath(new URL('../assets/sample.png', import.meta.url));

/**
 * The demo's mask: white over the sky of {@link SAMPLE_IMAGE_PATH} (the top 118 rows), black over the
 * hills, so the demo's measures show which models keep the hills.
 */
export const SAMPLE_MASK_PATH: string = fileURLToPath(new URL('../assets/sample-mask.png', import.meta.url));
