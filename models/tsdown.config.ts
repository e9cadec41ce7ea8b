import { packageConfig } from '../tools/tsdown/package-config.ts';

export default packageConfig(['src/index.ts', 'src/bin.ts'], {
  // dist/ also holds the built models: clean only what tsdown writes, so they survive.
  clean: ['dist/*.js', 'dist/*.d.ts', 'dist/*.map'],
});
