import { packageConfig } from '../../tools/tsdown/package-config.ts';

// One entry per export of package.json: the root (the spec surface) and its subpaths.
export default packageConfig([
  'src/index.ts',
  'src/analyzer.ts',
  'src/archive.ts',
  'src/clustering.ts',
  'src/image.ts',
  'src/onnx-models.ts',
  'src/people.ts',
  'src/pipeline.ts',
  'src/reindex.ts',
  'src/sql-store.ts',
  'src/vector.ts',
]);
