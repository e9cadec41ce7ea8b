export {
  type CollectionVectorState,
  type FaceVectorIndex,
  type FaceVectorIndexProvider,
  type FaceVectorSource,
  matrixIndexProvider,
  type VectorHit,
} from './face-vector-index.js';
export {
  PersistedFaceIndex,
  type PersistedFaceIndexOptions,
  type PersistedIndexFiles,
  type PersistedIndexProviderOptions,
  persistedIndexFiles,
  removePersistedIndex,
} from './persisted-face-index.js';
export { createSqliteFaceStore, type SqliteFaceStoreOptions } from './sqlite-face-store.js';
export { decodeVectorInto } from './vector-blob.js';
export { RowMatrix } from './vector-matrix.js';
