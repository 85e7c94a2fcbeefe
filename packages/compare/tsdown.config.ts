import { packageConfig } from '../../tsdown.shared.ts';

export default packageConfig();
