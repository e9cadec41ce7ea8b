import { InvalidParameterException, ResourceAlreadyExistsException } from '../errors/exceptions.js';
import { RekognitionError } from '../errors/rekognition-error.js';
import { type KeyedMutex, lockedRunner } from '../service/keyed-mutex.js';
import type { FaceSeparation, FaceStore, StoredFace, UserRecord } from '../storage/face-store.js';
import { validateShape } from '../validation/validate-shape.js';

/**
 * A collection as a portable file: JSON Lines, so that any store can be left for any other (or
 * for a script) without a facekit to read it, and so that big collections stream.
 *
 * - line 1, the header: `{"Format":"facekit-collection","FormatVersion":2,"CollectionId",
 *   "FaceModelVersion","VectorDimension","CreationTimestamp","Tags","FaceCount","UserCount",
 *   "SeparationCount"}`
 * - then one line per user: `{"Type":"User","UserId","UserStatus","CreationTimestamp"}`
 * - then one line per face, in indexing order: `{"Type":"Face","FaceId","BoundingBox","ImageId",
 *   "ExternalImageId"?,"Confidence","IndexFacesModelVersion","UserId"?,"IndexedTimestamp",
 *   "Vector"}`, `Vector` being the embedding as base64 of little-endian float32s.
 * - then one line per "not this person" decision (SeparateFaces):
 *   `{"Type":"Separation","FaceId","OtherFaceId"}` or `{"Type":"Separation","FaceId","UserId"}`.
 *
 * Members are named as on the Rekognition wire; timestamps are epoch seconds (fractions kept).
 * Users come before faces so an import can associate each face as it reads it, and decisions come
 * last, once the faces and users they name exist. Version 1 (before decisions were carried) has
 * no `SeparationCount` and no separation lines; it is still read.
 */
export const COLLECTION_ARCHIVE_FORMAT = 'facekit-collection';
export const COLLECTION_ARCHIVE_VERSION = 2;
/** Every `FormatVersion` this facekit reads. */
const READABLE_VERSIONS: readonly number[] = [1, 2];

/** The first line of an archive. */
export interface CollectionArchiveHeader {
  Format: typeof COLLECTION_ARCHIVE_FORMAT;
  FormatVersion: number;
  CollectionId: string;
  FaceModelVersion: string;
  /** Length of every `Vector`; `null` for a collection without faces. */
  VectorDimension: number | null;
  /** Epoch seconds. */
  CreationTimestamp: number;
  Tags: Record<string, string>;
  FaceCount: number;
  UserCount: number;
  /** "Not this person" decisions in the file (version 2; absent in version 1: none). */
  SeparationCount?: number;
}

export interface ArchivedUser {
  Type: 'User';
  UserId: string;
  /** `ACTIVE` when faces are associated, else `CREATED`. */
  UserStatus: 'ACTIVE' | 'CREATED';
  CreationTimestamp: number;
}

export interface ArchivedFace {
  Type: 'Face';
  FaceId: string;
  BoundingBox: { Width: number; Height: number; Left: number; Top: number };
  ImageId: string;
  ExternalImageId?: string;
  Confidence: number;
  IndexFacesModelVersion: string;
  UserId?: string;
  IndexedTimestamp: number;
  /** base64 of the embedding's float32 values, little-endian. */
  Vector: string;
}

/** A "not this person" decision: `FaceId` is not `UserId`, or not the person of `OtherFaceId`. */
export type ArchivedSeparation =
  | { Type: 'Separation'; FaceId: string; OtherFaceId: string; UserId?: undefined }
  | { Type: 'Separation'; FaceId: string; UserId: string; OtherFaceId?: undefined };

export interface ExportCollectionOptions {
  /** Faces read from the store at once (default 256). */
  batchSize?: number;
  /**
   * The per-collection locks of a `FaceService` on the same store (`service.collectionLocks`):
   * each page is then read between the service's writes, never in the middle of one.
   */
  collectionLocks?: KeyedMutex;
}

/**
 * Streams a collection as archive lines (each without its newline), reading the store page by
 * page. Takes a consistent copy only of a collection nobody writes to meanwhile.
 * @throws {ResourceNotFoundException} when the collection does not exist.
 */
export async function* exportCollection(
  store: FaceStore,
  collectionId: string,
  options: ExportCollectionOptions = {},
): AsyncGenerator<string> {
  const batchSize = options.batchSize ?? 256;
  const locked = lockedRunner(options.collectionLocks, collectionId);
  const { stats, tags, sample, separations } = await locked(async () => {
    const stats = await store.describeCollection(collectionId);
    const tags = await store.getTags(collectionId);
    const first = await store.listFaces(collectionId, { limit: 1 });
    const [sample] =
      first.items.length > 0 ? await store.getFaces(collectionId, [first.items[0].faceId]) : [];
    // Decisions are made by people one at a time: few enough to hold.
    const separations = (await store.listFaceSeparations(collectionId))
      .map(archivedSeparation)
      .sort(bySeparation);
    return { stats, tags, sample, separations };
  });
  const header: CollectionArchiveHeader = {
    Format: COLLECTION_ARCHIVE_FORMAT,
    FormatVersion: COLLECTION_ARCHIVE_VERSION,
    CollectionId: stats.collectionId,
    FaceModelVersion: stats.faceModelVersion,
    VectorDimension: sample ? sample.vector.length : null,
    CreationTimestamp: stats.createdAt / 1000,
    Tags: tags,
    FaceCount: stats.faceCount,
    UserCount: stats.userCount,
    SeparationCount: separations.length,
  };
  yield JSON.stringify(header);

  let after: string | undefined;
  do {
    const page = await locked(() => store.listUsers(collectionId, { limit: batchSize, after }));
    for (const user of page.items) yield JSON.stringify(archivedUser(user));
    after = page.next;
  } while (after);

  do {
    const { page, faces } = await locked(async () => {
      const page = await store.listFaces(collectionId, { limit: batchSize, after });
      const faces = await store.getFaces(
        collectionId,
        page.items.map((f) => f.faceId),
      );
      return { page, faces };
    });
    for (const face of faces) yield JSON.stringify(archivedFace(face));
    after = page.next;
  } while (after);

  for (const separation of separations) yield JSON.stringify(separation);
}

function archivedSeparation(s: FaceSeparation): ArchivedSeparation {
  return s.otherFaceId !== undefined
    ? { Type: 'Separation', FaceId: s.faceId, OtherFaceId: s.otherFaceId }
    : { Type: 'Separation', FaceId: s.faceId, UserId: s.userId };
}

/** Pairs of faces first, then face–user decisions, each in string order: a stable file. */
function bySeparation(a: ArchivedSeparation, b: ArchivedSeparation): number {
  const key = (s: ArchivedSeparation) =>
    `${s.UserId === undefined ? 0 : 1}:${s.FaceId}:${s.OtherFaceId ?? s.UserId}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

function archivedUser(user: UserRecord): ArchivedUser {
  return {
    Type: 'User',
    UserId: user.userId,
    UserStatus: user.faceCount > 0 ? 'ACTIVE' : 'CREATED',
    CreationTimestamp: user.createdAt / 1000,
  };
}

function archivedFace(face: StoredFace): ArchivedFace {
  const { width, height, left, top } = face.boundingBox;
  return {
    Type: 'Face',
    FaceId: face.faceId,
    BoundingBox: { Width: width, Height: height, Left: left, Top: top },
    ImageId: face.imageId,
    ...(face.externalImageId !== undefined ? { ExternalImageId: face.externalImageId } : {}),
    Confidence: face.confidence,
    IndexFacesModelVersion: face.indexFacesModelVersion,
    ...(face.userId !== undefined ? { UserId: face.userId } : {}),
    IndexedTimestamp: face.createdAt / 1000,
    Vector: encodeVector(face.vector),
  };
}

export interface ImportCollectionOptions {
  /** Where to import (default: the archive's `CollectionId`). It must not exist yet. */
  collectionId?: string;
  /**
   * The face model the target serves: an archive of another model is refused, since its vectors
   * cannot be compared with the ones this model computes. `undefined` accepts any (a target that
   * runs no model).
   */
  faceModelVersion: string | undefined;
  /** Vector length the target's model produces, when known: other lengths are refused. */
  vectorDimension?: number;
  /** Faces written to the store at once (default 256). */
  batchSize?: number;
  /** Per-user face limit applied while re-associating (default: none, as the source had them). */
  maxFacesPerUser?: number;
  /**
   * The per-collection locks of a `FaceService` on the same store (`service.collectionLocks`):
   * each write to the new collection, and its removal after a failure, then holds its lock.
   */
  collectionLocks?: KeyedMutex;
}

export interface ImportCollectionResult {
  collectionId: string;
  faceCount: number;
  userCount: number;
  /** "Not this person" decisions restored. */
  separationCount: number;
}

/**
 * Reads an archive (lines as {@link exportCollection} wrote them; a trailing empty line is fine)
 * into a new collection, keeping FaceIds, ImageIds, users, associations, tags, timestamps and
 * "not this person" decisions.
 * Every line is validated; on any failure the new collection is deleted again, so a corrupt
 * file leaves the store as it was.
 * @throws {ResourceAlreadyExistsException} when the target collection exists (it is left alone).
 * @throws {InvalidParameterException} for a malformed line (`line N: ...`), another face model
 *   or vector dimension, or counts that do not match the header.
 */
export async function importCollection(
  store: FaceStore,
  lines: AsyncIterable<string> | Iterable<string>,
  options: ImportCollectionOptions,
): Promise<ImportCollectionResult> {
  const batchSize = options.batchSize ?? 256;
  const maxFacesPerUser = options.maxFacesPerUser ?? Number.MAX_SAFE_INTEGER;
  let lineNumber = 0;
  let header: CollectionArchiveHeader | undefined;
  let targetId = '';
  let created = false;
  const declaredUsers = new Map<string, ArchivedUser['UserStatus']>();
  const owners = new Map<string, number>();
  let batch: { face: StoredFace; userId?: string }[] = [];
  let faceCount = 0;
  let separations: { separation: FaceSeparation; line: number }[] = [];
  let separationCount = 0;

  const locked = <T>(critical: () => Promise<T>) =>
    lockedRunner(options.collectionLocks, targetId)(critical);
  const flush = async () => {
    if (batch.length === 0) return;
    await locked(() => writeBatch(batch));
    batch = [];
  };
  const writeBatch = async (batch: { face: StoredFace; userId?: string }[]) => {
    await store.putFaces(
      targetId,
      batch.map((b) => b.face),
    );
    const byUser = new Map<string, string[]>();
    for (const { face, userId } of batch) {
      if (userId === undefined) continue;
      byUser.set(userId, [...(byUser.get(userId) ?? []), face.faceId]);
    }
    for (const [userId, faceIds] of byUser) {
      const result = await store.associateFaces(targetId, userId, faceIds, maxFacesPerUser);
      if (result.unsuccessful.length > 0) {
        const [failure] = result.unsuccessful;
        throw new InvalidParameterException(
          `face ${failure.faceId} could not be associated with user ${userId}: ${failure.reason}`,
        );
      }
    }
  };

  /** Decisions may only name faces of the archive: checked in the store, a batch at a time. */
  const flushSeparations = async () => {
    if (separations.length === 0) return;
    const named = new Set(
      separations.flatMap(({ separation: s }) =>
        s.otherFaceId !== undefined ? [s.faceId, s.otherFaceId] : [s.faceId],
      ),
    );
    await locked(async () => {
      const found = new Set((await store.getFaces(targetId, [...named])).map((f) => f.faceId));
      for (const { separation: s, line } of separations) {
        const missing = [s.faceId, s.otherFaceId].find((id) => id !== undefined && !found.has(id));
        if (missing !== undefined) {
          throw new InvalidParameterException(
            `line ${line}: the separation names face ${missing}, which is not in the archive`,
          );
        }
      }
      await store.putFaceSeparations(
        targetId,
        separations.map((s) => s.separation),
      );
    });
    separations = [];
  };

  try {
    for await (const raw of lines) {
      lineNumber++;
      const line = raw.trim();
      if (line === '') continue;
      const bad = (why: string) => new InvalidParameterException(`line ${lineNumber}: ${why}`);
      let record: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(line);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          throw new Error('not a JSON object');
        }
        record = parsed as Record<string, unknown>;
      } catch (error) {
        throw bad(`not a JSON object (${(error as Error).message})`);
      }

      if (!header) {
        header = parseHeader(record, bad);
        if (
          options.faceModelVersion !== undefined &&
          header.FaceModelVersion !== options.faceModelVersion
        ) {
          throw new InvalidParameterException(
            `the archive's vectors come from face model ${header.FaceModelVersion}; this service runs ${options.faceModelVersion}, whose vectors cannot be compared with them`,
          );
        }
        if (
          header.VectorDimension !== null &&
          options.vectorDimension !== undefined &&
          header.VectorDimension !== options.vectorDimension
        ) {
          throw new InvalidParameterException(
            `the archive's vectors have ${header.VectorDimension} dimensions; face model ${options.faceModelVersion} here has ${options.vectorDimension}`,
          );
        }
        targetId = options.collectionId ?? header.CollectionId;
        const idViolations = validateShape('CollectionId', targetId, 'collectionId');
        if (idViolations.length > 0) throw new InvalidParameterException(idViolations[0].message);
        const { FaceModelVersion, CreationTimestamp, Tags } = header;
        await locked(() =>
          store.createCollection(
            {
              collectionId: targetId,
              faceModelVersion: FaceModelVersion,
              createdAt: Math.round(CreationTimestamp * 1000),
            },
            Tags,
          ),
        );
        created = true;
        continue;
      }

      if (record.Type !== 'Separation' && separationCount > 0) {
        throw bad('users and faces must come before separations');
      }
      if (record.Type === 'User') {
        if (faceCount > 0 || batch.length > 0) throw bad('users must come before faces');
        const user = parseUser(record, bad);
        if (declaredUsers.has(user.UserId)) throw bad(`user ${user.UserId} appears twice`);
        declaredUsers.set(user.UserId, user.UserStatus);
        await locked(() =>
          store.createUser(targetId, {
            userId: user.UserId,
            createdAt: Math.round(user.CreationTimestamp * 1000),
          }),
        );
      } else if (record.Type === 'Face') {
        const face = parseFace(record, header, bad);
        if (face.userId !== undefined) {
          if (!declaredUsers.has(face.userId)) throw bad(`user ${face.userId} is not declared`);
          owners.set(face.userId, (owners.get(face.userId) ?? 0) + 1);
        }
        batch.push({ face: { ...face, userId: undefined }, userId: face.userId });
        faceCount++;
        if (batch.length >= batchSize) await flush();
      } else if (record.Type === 'Separation' && header.FormatVersion >= 2) {
        if (separationCount === 0) await flush();
        const separation = parseSeparation(record, bad);
        if (separation.userId !== undefined && !declaredUsers.has(separation.userId)) {
          throw bad(`user ${separation.userId} is not declared`);
        }
        separations.push({ separation, line: lineNumber });
        separationCount++;
        if (separations.length >= batchSize) await flushSeparations();
      } else {
        const expected =
          header.FormatVersion >= 2 ? '"User", "Face" or "Separation"' : '"User" or "Face"';
        throw bad(`unknown Type ${JSON.stringify(record.Type)} (expected ${expected})`);
      }
    }
    if (!header) throw new InvalidParameterException('the archive is empty: no header line');
    await flush();
    await flushSeparations();

    if (faceCount !== header.FaceCount || declaredUsers.size !== header.UserCount) {
      throw new InvalidParameterException(
        `the archive is incomplete: the header announces ${header.FaceCount} faces and ${header.UserCount} users, the file has ${faceCount} and ${declaredUsers.size}`,
      );
    }
    if (separationCount !== (header.SeparationCount ?? 0)) {
      throw new InvalidParameterException(
        `the archive is incomplete: the header announces ${header.SeparationCount ?? 0} separations, the file has ${separationCount}`,
      );
    }
    for (const [userId, status] of declaredUsers) {
      const actual = (owners.get(userId) ?? 0) > 0 ? 'ACTIVE' : 'CREATED';
      if (actual !== status) {
        throw new InvalidParameterException(
          `user ${userId} is ${status} in the archive but ${actual} after import: its faces are missing or extra`,
        );
      }
    }
    return {
      collectionId: targetId,
      faceCount,
      userCount: declaredUsers.size,
      separationCount,
    };
  } catch (error) {
    if (created) await locked(() => store.deleteCollection(targetId)).catch(() => undefined);
    if (
      !created &&
      RekognitionError.isInstance(error) &&
      error.name === 'ResourceAlreadyExistsException'
    ) {
      throw new ResourceAlreadyExistsException(
        `The collection id: ${targetId} already exists; import into another with a new collection id`,
        { cause: error },
      );
    }
    throw error;
  }
}

type Bad = (why: string) => InvalidParameterException;

function parseHeader(record: Record<string, unknown>, bad: Bad): CollectionArchiveHeader {
  if (record.Format !== COLLECTION_ARCHIVE_FORMAT) {
    throw bad(`not a facekit collection archive (Format must be "${COLLECTION_ARCHIVE_FORMAT}")`);
  }
  if (!READABLE_VERSIONS.includes(record.FormatVersion as number)) {
    throw bad(
      `unsupported FormatVersion ${JSON.stringify(record.FormatVersion)}; this facekit reads ${READABLE_VERSIONS.join(' and ')}`,
    );
  }
  expectShape(record.CollectionId, 'CollectionId', 'CollectionId', bad);
  expectString(record.FaceModelVersion, 'FaceModelVersion', bad);
  if (
    record.VectorDimension !== null &&
    !(Number.isInteger(record.VectorDimension) && (record.VectorDimension as number) > 0)
  ) {
    throw bad('VectorDimension must be a positive integer or null');
  }
  expectNumber(record.CreationTimestamp, 'CreationTimestamp', bad);
  expectShape(record.Tags ?? {}, 'TagMap', 'Tags', bad);
  const counts =
    record.FormatVersion === 1
      ? ['FaceCount', 'UserCount']
      : ['FaceCount', 'UserCount', 'SeparationCount'];
  for (const key of counts) {
    if (!Number.isInteger(record[key]) || (record[key] as number) < 0) {
      throw bad(`${key} must be a non-negative integer`);
    }
  }
  return {
    ...(record as unknown as CollectionArchiveHeader),
    Tags: (record.Tags ?? {}) as Record<string, string>,
  };
}

function parseUser(record: Record<string, unknown>, bad: Bad): ArchivedUser {
  const { Type: _type, CreationTimestamp, ...user } = record;
  expectShape(user, 'User', 'user', bad);
  expectString(user.UserId, 'UserId', bad);
  if (user.UserStatus !== 'ACTIVE' && user.UserStatus !== 'CREATED') {
    throw bad('UserStatus must be ACTIVE or CREATED');
  }
  expectNumber(CreationTimestamp, 'CreationTimestamp', bad);
  return record as unknown as ArchivedUser;
}

function parseSeparation(record: Record<string, unknown>, bad: Bad): FaceSeparation {
  const { Type: _type, FaceId, OtherFaceId, UserId, ...rest } = record;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw bad(`unknown member ${extra[0]} in a separation`);
  if ((OtherFaceId === undefined) === (UserId === undefined)) {
    throw bad('a separation names exactly one of OtherFaceId and UserId');
  }
  expectString(FaceId, 'FaceId', bad);
  expectShape(FaceId, 'FaceId', 'FaceId', bad);
  if (OtherFaceId !== undefined) {
    expectShape(OtherFaceId, 'FaceId', 'OtherFaceId', bad);
    if (OtherFaceId === FaceId) throw bad('a face cannot be separated from itself');
    return { faceId: FaceId as string, otherFaceId: OtherFaceId as string };
  }
  expectShape(UserId, 'UserId', 'UserId', bad);
  return { faceId: FaceId as string, userId: UserId as string };
}

function parseFace(
  record: Record<string, unknown>,
  header: CollectionArchiveHeader,
  bad: Bad,
): StoredFace {
  const { Type: _type, IndexedTimestamp, Vector, ...face } = record;
  expectShape(face, 'Face', 'face', bad);
  for (const key of ['FaceId', 'ImageId', 'IndexFacesModelVersion'] as const) {
    expectString(face[key], key, bad);
  }
  expectNumber(face.Confidence, 'Confidence', bad);
  const box = face.BoundingBox as Record<string, unknown> | undefined;
  for (const key of ['Width', 'Height', 'Left', 'Top'])
    expectNumber(box?.[key], `BoundingBox.${key}`, bad);
  expectNumber(IndexedTimestamp, 'IndexedTimestamp', bad);
  if (face.IndexFacesModelVersion !== header.FaceModelVersion) {
    throw bad(
      `face ${face.FaceId} comes from face model ${face.IndexFacesModelVersion}, the collection's is ${header.FaceModelVersion}`,
    );
  }
  if (typeof Vector !== 'string') throw bad('Vector must be a base64 string');
  const vector = decodeVector(Vector);
  if (!vector) throw bad(`face ${face.FaceId}: Vector is not base64 of float32 values`);
  if (vector.length !== header.VectorDimension) {
    throw bad(
      `face ${face.FaceId}: Vector has ${vector.length} dimensions, the header says ${header.VectorDimension}`,
    );
  }
  if (!vector.every(Number.isFinite))
    throw bad(`face ${face.FaceId}: Vector has a non-finite value`);
  const b = box as { Width: number; Height: number; Left: number; Top: number };
  return {
    faceId: face.FaceId as string,
    imageId: face.ImageId as string,
    ...(face.ExternalImageId !== undefined
      ? { externalImageId: face.ExternalImageId as string }
      : {}),
    boundingBox: { width: b.Width, height: b.Height, left: b.Left, top: b.Top },
    confidence: face.Confidence as number,
    indexFacesModelVersion: face.IndexFacesModelVersion as string,
    ...(face.UserId !== undefined ? { userId: face.UserId as string } : {}),
    createdAt: Math.round((IndexedTimestamp as number) * 1000),
    vector,
  };
}

function expectShape(value: unknown, shape: string, name: string, bad: Bad): void {
  const [violation] = validateShape(shape, value, name);
  if (violation) throw bad(violation.message);
}

function expectString(value: unknown, name: string, bad: Bad): void {
  if (typeof value !== 'string' || value === '') throw bad(`${name} must be a non-empty string`);
}

function expectNumber(value: unknown, name: string, bad: Bad): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(`${name} must be a number`);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** base64 of the values as little-endian float32, whatever the platform's byte order. */
export function encodeVector(vector: Float32Array): string {
  const view = new DataView(new ArrayBuffer(vector.length * 4));
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i], true);
  const bytes = new Uint8Array(view.buffer);
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/** The inverse of {@link encodeVector}; `undefined` for bad base64 or a length not a multiple of 4 bytes. */
export function decodeVector(base64: string): Float32Array | undefined {
  if (!BASE64.test(base64)) return undefined;
  const binary = atob(base64);
  if (binary.length % 4 !== 0) return undefined;
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  const vector = new Float32Array(binary.length / 4);
  for (let i = 0; i < vector.length; i++) vector[i] = view.getFloat32(i * 4, true);
  return vector;
}
