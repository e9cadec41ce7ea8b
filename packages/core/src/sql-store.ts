// `@facekit/core/sql-store`: what the SQL stores (storage-sqlite, storage-postgres) share: rows
// and their mapping, cursors and pages, face ownership results, driver error codes, dimensions.

export { checkDimensions, driverErrorCode, errorMessage } from './sql-store/errors.js';
export {
  deletion,
  type FaceStanding,
  faceStandings,
  type OwnedFaceRow,
  ownershipChange,
} from './sql-store/ownership.js';
export { parseSeqCursor, toPage } from './sql-store/pages.js';
export {
  type CollectionRow,
  collectionRecord,
  FACE_COLUMNS,
  type FaceRow,
  faceMetadata,
  type SqlInt,
  type UserRow,
  userRecord,
} from './sql-store/rows.js';
