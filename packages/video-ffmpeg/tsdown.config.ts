import { packageConfig } from '../../tools/tsdown/package-config.ts';

export default packageConfig(['src/index.ts']);
