import { InternalServerError } from '@facekit/core';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * `PRAGMA application_id` of a facekit database ("FACE" in ASCII), so that another program's
 * SQLite file is refused instead of being migrated.
 */
export const APPLICATION_ID = 0x46414345;

/**
 * Numbered schema migrations. Entry `i` takes the database from `user_version` `i` to `i + 1`.
 * Append only: never edit a migration that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: initial schema. `seq` columns are AUTOINCREMENT so creation/indexing order is stable and a
  // deleted row's number is never reused (cursors handed out before a delete stay meaningful).
  `
  CREATE TABLE collections (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_id TEXT NOT NULL UNIQUE,
    face_model_version TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE tags (
    collection_seq INTEGER NOT NULL REFERENCES collections (seq) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (collection_seq, key)
  ) WITHOUT ROWID;

  CREATE TABLE users (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_seq INTEGER NOT NULL REFERENCES collections (seq) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX users_collection_user_id ON users (collection_seq, user_id);
  -- (collection_seq, rowid): users of a collection in creation order.
  CREATE INDEX users_collection ON users (collection_seq);

  CREATE TABLE faces (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_seq INTEGER NOT NULL REFERENCES collections (seq) ON DELETE CASCADE,
    face_id TEXT NOT NULL,
    image_id TEXT NOT NULL,
    external_image_id TEXT,
    bbox_width REAL NOT NULL,
    bbox_height REAL NOT NULL,
    bbox_left REAL NOT NULL,
    bbox_top REAL NOT NULL,
    confidence REAL NOT NULL,
    index_faces_model_version TEXT NOT NULL,
    user_seq INTEGER REFERENCES users (seq) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    -- float32 little-endian, 4 bytes per dimension
    vector BLOB NOT NULL
  );
  CREATE UNIQUE INDEX faces_collection_face_id ON faces (collection_seq, face_id);
  -- (collection_seq, rowid): faces of a collection in indexing order.
  CREATE INDEX faces_collection ON faces (collection_seq);
  -- (user_seq, rowid): a user's faces in indexing order; also serves ON DELETE SET NULL.
  CREATE INDEX faces_user ON faces (user_seq) WHERE user_seq IS NOT NULL;
  `,
  // 2: IndexFaces looks up the faces already indexed from an image (its duplicate rule).
  `
  CREATE INDEX faces_collection_image ON faces (collection_seq, image_id);
  `,
  // 3: "not the same person" decisions (SeparateFaces), forgotten with their faces and users.
  // A face pair is stored once, its lower face id first.
  `
  CREATE TABLE face_separations (
    face_seq INTEGER NOT NULL REFERENCES faces (seq) ON DELETE CASCADE,
    other_face_seq INTEGER NOT NULL REFERENCES faces (seq) ON DELETE CASCADE,
    PRIMARY KEY (face_seq, other_face_seq)
  ) WITHOUT ROWID;
  CREATE INDEX face_separations_other ON face_separations (other_face_seq);
  CREATE TABLE face_user_separations (
    face_seq INTEGER NOT NULL REFERENCES faces (seq) ON DELETE CASCADE,
    user_seq INTEGER NOT NULL REFERENCES users (seq) ON DELETE CASCADE,
    PRIMARY KEY (face_seq, user_seq)
  ) WITHOUT ROWID;
  CREATE INDEX face_user_separations_user ON face_user_separations (user_seq);
  `,
];

/** The schema version this code writes: the number of migrations. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the database to {@link SCHEMA_VERSION} in one immediate transaction (so two processes
 * opening a fresh file cannot both migrate it). Refuses a database written by a newer version,
 * or a SQLite file that belongs to another program.
 */
export function migrate(db: BetterSqlite3.Database, location: string): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new InternalServerError(
        `SQLite database ${location} has schema version ${version}, but this @facekit/storage-sqlite only knows versions up to ${SCHEMA_VERSION}; it was written by a newer facekit. Upgrade @facekit/storage-sqlite to open it.`,
      );
    }
    if (version === 0) {
      const tables = db
        .prepare("SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'")
        .pluck()
        .get() as number;
      if (tables > 0 || (applicationId !== 0 && applicationId !== APPLICATION_ID)) {
        throw new InternalServerError(
          `SQLite database ${location} is not a facekit database (it already holds other tables); refusing to modify it.`,
        );
      }
      db.pragma(`application_id = ${APPLICATION_ID}`);
    } else if (applicationId !== APPLICATION_ID) {
      throw new InternalServerError(
        `SQLite database ${location} is not a facekit database (application_id ${applicationId}); refusing to modify it.`,
      );
    }
    for (let next = version; next < SCHEMA_VERSION; next++) {
      db.exec(MIGRATIONS[next]);
      db.pragma(`user_version = ${next + 1}`);
    }
  }).immediate();
}
