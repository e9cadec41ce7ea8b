import { packageConfig } from '../../tools/tsdown/package-config.ts';

export default packageConfig(['src/index.ts', 'src/node.ts', 'src/bun.ts', 'src/deno.ts']);
