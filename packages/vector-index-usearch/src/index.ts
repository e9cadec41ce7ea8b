export {
  type AutoIndexProviderOptions,
  createAutoIndexProvider,
} from './auto-index-provider.js';
export { createExactScanIndexProvider } from './exact-scan-provider.js';
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
export { quantizeInto } from './vectors.js';
export {
  createUsearchFaceStore,
  createVectorIndexProvider,
  DEFAULT_AUTO_THRESHOLD,
  type UsearchFaceStoreOptions,
  type VectorIndexKind,
} from './usearch-face-store.js';
