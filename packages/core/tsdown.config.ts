import { packageConfig } from '../../tsdown.shared.ts';

// Three entries: the application's, the adapter kit (`./provider-utils`), and `./schemas` (zod), which
// the main one also imports on first use.
export default packageConfig({ entry: ['src/index.ts', 'src/provider-utils.ts', 'src/schemas.ts'] });
