import { packageConfig } from '../../tsdown.shared.ts';

// The pixel threads start from a file of their own, beside the entry.
export default packageConfig({
  entry: { index: 'src/index.ts', 'pixel-worker': 'src/measures/pixel-worker.ts' },
});
