import { packageConfig } from '../../tools/tsdown/package-config.ts';

// The worker is its own entry: the pool starts it by file URL.
export default packageConfig(['src/index.ts', 'src/analyzer-worker.ts']);
