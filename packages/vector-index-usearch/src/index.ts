export {
  type AutoIndexProviderOptions,
  createAutoIndexProvider,
} from './auto-index-provider.js';
export {
  createExactScanIndexProvider,
  type ExactScanIndexProviderOptions,
} from './exact-scan-provider.js';
export {
  createUsearchIndexProvider,
  type UsearchIndexProviderOptions,
  type UsearchQuantization,
} from './hnsw-index-provider.js';
export {
  loadUsearch,
  USEARCH_INSTALL_HINT,
  type UsearchModule,
  usearchUnavailableReason,
} from './load-usearch.js';
export {
  createUsearchFaceStore,
  createVectorIndexProvider,
  DEFAULT_AUTO_THRESHOLD,
  type UsearchFaceStoreOptions,
  type VectorIndexKind,
} from './usearch-face-store.js';
export { quantizeInto } from './vectors.js';
