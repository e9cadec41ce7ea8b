// `@facekit/core/archive`: a collection as a portable file (export and import).

export {
  type ArchivedFace,
  type ArchivedSeparation,
  type ArchivedUser,
  COLLECTION_ARCHIVE_FORMAT,
  COLLECTION_ARCHIVE_VERSION,
  type CollectionArchiveHeader,
  decodeVector,
  type ExportCollectionOptions,
  encodeVector,
  exportCollection,
  type ImportCollectionOptions,
  type ImportCollectionResult,
  importCollection,
} from './portability/collection-archive.js';
