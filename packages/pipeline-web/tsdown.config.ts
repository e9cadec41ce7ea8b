import { packageConfig } from '../../tools/tsdown/package-config.ts';

// `platform: 'browser'`: no Node built-ins. The models manifest (a devDependency) is inlined, so
// the hashes that fetched models are checked against ship inside the code, not beside the models.
export default packageConfig(['src/index.ts'], { platform: 'browser' });
