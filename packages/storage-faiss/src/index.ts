export { createFaissFaceStore, type FaissFaceStoreOptions } from './faiss-face-store.js';
export {
  createFaissIndexProvider,
  type FaissIndexKind,
  type FaissIndexProviderOptions,
  type HnswParameters,
} from './faiss-index-provider.js';
export {
  FAISS_INSTALL_HINT,
  type FaissIndex,
  type FaissModule,
  faissUnavailableReason,
  loadFaiss,
  loadFaissFrom,
} from './load-faiss.js';
