import { packageConfig } from '../../tsdown.shared.ts';

// Two entries: the main one, and `./schemas` (zod), which the main one also imports on first use.
export default packageConfig({ entry: ['src/index.ts', 'src/schemas.ts'] });
