import { packageConfig } from '../../tools/tsdown/package-config.ts';

// One entry per runtime: each imports only its own onnxruntime package (STYLE §4).
export default packageConfig(['src/node.ts', 'src/web.ts']);
