import { packageConfig } from '../tools/tsdown/package-config.ts';

export default packageConfig([
  'src/index.ts',
  'src/storage/index.ts',
  'src/api/index.ts',
  'src/remote/index.ts',
  'src/tool/index.ts',
  'src/tool/bin.ts',
]);
