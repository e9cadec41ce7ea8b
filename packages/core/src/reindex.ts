// `@facekit/core/reindex`: re-indexing a collection with another face model from kept images.

export { matchByIou } from './service/box-matching.js';
export {
  type ReindexCollectionOptions,
  type ReindexImageResult,
  type ReindexMiss,
  type ReindexPlan,
  type ReindexReport,
  reindexCollection,
} from './service/reindex-collection.js';
