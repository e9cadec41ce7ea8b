/**
 * The storage seam. A `FaceStore` keeps collections, faces (metadata + embedding), users and tags,
 * and answers nearest-neighbour queries. It knows nothing about the wire format: records are
 * camelCase, times are epoch milliseconds, vectors are L2-normalised `Float32Array`s.
 *
 * Every method is atomic on its own: a concurrent caller never sees half of a `putFaces`,
 * `deleteFaces` or `associateFaces`. Multi-step operations (e.g. AssociateFaces' match threshold
 * check followed by the association) are serialised per collection by the service, and the store
 * re-checks its own invariants (face exists, not owned by another user, per-user quota) inside
 * the write so that even a multi-process deployment cannot break them.
 *
 * Adapters throw only core errors ({@link ResourceNotFoundException} and friends), wrapping
 * driver errors as `cause`. Every adapter runs the shared suite in `@facekit/conformance/storage`.
 */
export interface FaceStore {
  readonly specificationVersion: 'v1';
  /** Short adapter name for logs, e.g. `sqlite`. */
  readonly name: string;
  readonly capabilities: FaceStoreCapabilities;

  /**
   * @throws {ResourceAlreadyExistsException} when a collection with this id exists (ids are case-sensitive).
   */
  createCollection(
    collection: CollectionRecord,
    tags?: Readonly<Record<string, string>>,
  ): Promise<void>;
  /** Deletes the collection with its faces, users and tags. @throws {ResourceNotFoundException} */
  deleteCollection(collectionId: string): Promise<void>;
  /** @throws {ResourceNotFoundException} */
  describeCollection(collectionId: string): Promise<CollectionStats>;
  /** Collections in creation order. */
  listCollections(page: PageRequest): Promise<Page<CollectionRecord>>;

  /** @throws {ResourceNotFoundException} when the collection does not exist. */
  getTags(collectionId: string): Promise<Record<string, string>>;
  /**
   * Adds or overwrites tags.
   * @throws {ServiceQuotaExceededException} when the resource would hold more than `maxTags` tags; nothing is changed.
   * @throws {ResourceNotFoundException}
   */
  tagCollection(
    collectionId: string,
    tags: Readonly<Record<string, string>>,
    maxTags: number,
  ): Promise<void>;
  /** Removes tags; absent keys are ignored. @throws {ResourceNotFoundException} */
  untagCollection(collectionId: string, keys: readonly string[]): Promise<void>;

  /**
   * Adds faces. Face ids are unique in the collection; `userId` is ignored (new faces belong to no user).
   * @throws {ConflictException} when a face id exists or repeats within the batch; nothing is written.
   * @throws {ResourceNotFoundException} when the collection does not exist; nothing is written.
   */
  putFaces(collectionId: string, faces: readonly StoredFace[]): Promise<void>;
  /** Faces with these ids (in the order asked, missing ones left out), with their vectors. @throws {ResourceNotFoundException} */
  getFaces(collectionId: string, faceIds: readonly string[]): Promise<StoredFace[]>;
  /** Faces indexed from one image (same `imageId`), in indexing order. @throws {ResourceNotFoundException} */
  findFacesByImage(collectionId: string, imageId: string): Promise<FaceMetadata[]>;
  /** Faces in indexing order, optionally only those of one user and/or with the given ids. @throws {ResourceNotFoundException} */
  listFaces(
    collectionId: string,
    page: PageRequest,
    filter?: FaceFilter,
  ): Promise<Page<FaceMetadata>>;
  /**
   * Deletes faces that exist and belong to no user. Faces owned by a user are refused with
   * `ASSOCIATED_TO_AN_EXISTING_USER`, unknown ids with `FACE_NOT_FOUND`.
   * @throws {ResourceNotFoundException}
   */
  deleteFaces(collectionId: string, faceIds: readonly string[]): Promise<DeleteFacesResult>;
  /**
   * The `limit` faces most similar to `vector` (cosine = inner product of unit vectors), best first,
   * ties broken by indexing order; only scores `>= minScore` when given; `excludeFaceIds` never returned.
   * @throws {ResourceNotFoundException}
   */
  searchFaces(
    collectionId: string,
    vector: Float32Array,
    options: VectorSearchOptions,
  ): Promise<ScoredFace[]>;

  /** @throws {ConflictException} when the user exists. @throws {ResourceNotFoundException} when the collection does not. */
  createUser(
    collectionId: string,
    user: { userId: string; createdAt: number },
  ): Promise<UserRecord>;
  /** Deletes the user after disassociating its faces (the faces stay). @throws {ResourceNotFoundException} for a missing collection or user. */
  deleteUser(collectionId: string, userId: string): Promise<void>;
  /** The user, or `undefined`. @throws {ResourceNotFoundException} when the collection does not exist. */
  getUser(collectionId: string, userId: string): Promise<UserRecord | undefined>;
  /** Users in creation order. @throws {ResourceNotFoundException} */
  listUsers(collectionId: string, page: PageRequest): Promise<Page<UserRecord>>;
  /**
   * Associates faces with a user. Faces already owned by this user are ignored (in neither list);
   * unknown faces fail with `FACE_NOT_FOUND`, faces of another user with `ASSOCIATED_TO_A_DIFFERENT_USER`.
   * @throws {ServiceQuotaExceededException} when the user would own more than `maxFacesPerUser`; nothing changes.
   * @throws {ResourceNotFoundException} for a missing collection or user.
   */
  associateFaces(
    collectionId: string,
    userId: string,
    faceIds: readonly string[],
    maxFacesPerUser: number,
  ): Promise<FaceOwnershipResult>;
  /**
   * Removes faces from a user. Faces of no user are ignored; unknown faces fail with
   * `FACE_NOT_FOUND`, faces of another user with `ASSOCIATED_TO_A_DIFFERENT_USER`.
   * @throws {ResourceNotFoundException} for a missing collection or user.
   */
  disassociateFaces(
    collectionId: string,
    userId: string,
    faceIds: readonly string[],
  ): Promise<FaceOwnershipResult>;
  /**
   * A user's vector: the L2-normalised mean of its faces' vectors; `undefined` when it has no faces.
   * @throws {ResourceNotFoundException} for a missing collection.
   */
  getUserVector(collectionId: string, userId: string): Promise<Float32Array | undefined>;
  /**
   * Users whose vector is most similar to `vector`, best first (ties by creation order);
   * users without faces are never returned.
   * @throws {ResourceNotFoundException}
   */
  searchUsers(
    collectionId: string,
    vector: Float32Array,
    options: UserSearchOptions,
  ): Promise<ScoredUser[]>;

  /**
   * Records "not the same person" decisions (facekit's SeparateFaces, respected by
   * ClusterFaces): a face with another face, or a face with a user. Pairs of faces are
   * unordered; a decision already recorded is ignored, and so is one naming a face or user that
   * does not exist. A decision is forgotten with its faces or user (deleting either).
   * @throws {ResourceNotFoundException} when the collection does not exist; nothing is written.
   */
  putFaceSeparations(collectionId: string, separations: readonly FaceSeparation[]): Promise<void>;
  /**
   * Every decision of the collection, in no particular order; a pair of faces comes back with
   * `faceId < otherFaceId` (string order).
   * @throws {ResourceNotFoundException}
   */
  listFaceSeparations(collectionId: string): Promise<FaceSeparation[]>;
  /**
   * Takes decisions back ("undo not this person"): each of `separations` that is recorded is
   * removed (a pair of faces in either order); the others are ignored.
   * @returns the decisions removed, pairs of faces with `faceId < otherFaceId` (string order).
   * @throws {ResourceNotFoundException} when the collection does not exist; nothing is removed.
   */
  deleteFaceSeparations(
    collectionId: string,
    separations: readonly FaceSeparation[],
  ): Promise<FaceSeparation[]>;

  /** Releases files, connections and memory. Further calls may fail. */
  close(): Promise<void>;
}

/** A "not the same person" decision: a face and either another face or a user. */
export type FaceSeparation =
  | { faceId: string; otherFaceId: string; userId?: undefined }
  | { faceId: string; userId: string; otherFaceId?: undefined };

export interface FaceStoreCapabilities {
  /** Data survives `close()` and a new store on the same location. */
  readonly persistent: boolean;
  /** `exact` stores return the true top-k; `approximate` ones may miss some. */
  readonly search: 'exact' | 'approximate';
}

export interface CollectionRecord {
  collectionId: string;
  faceModelVersion: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface CollectionStats extends CollectionRecord {
  faceCount: number;
  userCount: number;
}

/** Box as ratios of the image width/height, origin top left (Rekognition's `BoundingBox`). */
export interface BoxRatios {
  width: number;
  height: number;
  left: number;
  top: number;
}

export interface FaceMetadata {
  faceId: string;
  imageId: string;
  externalImageId?: string;
  boundingBox: BoxRatios;
  /** Detection confidence, 0..100. */
  confidence: number;
  indexFacesModelVersion: string;
  userId?: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface StoredFace extends FaceMetadata {
  /** L2-normalised embedding. */
  vector: Float32Array;
}

export interface UserRecord {
  userId: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Number of faces associated with the user. */
  faceCount: number;
}

export interface PageRequest {
  /** Maximum items, >= 1 (the service never asks for 0). */
  limit: number;
  /** A cursor this store returned as `next`; adapters keep them under 64 characters. */
  after?: string;
}

export interface Page<T> {
  items: T[];
  /** Present when more items follow. */
  next?: string;
}

export interface FaceFilter {
  userId?: string;
  faceIds?: readonly string[];
}

export interface VectorSearchOptions {
  limit: number;
  /** Lowest cosine similarity to return (-1..1). */
  minScore?: number;
  excludeFaceIds?: readonly string[];
}

export interface UserSearchOptions {
  limit: number;
  minScore?: number;
  excludeUserIds?: readonly string[];
}

export interface ScoredFace {
  face: FaceMetadata;
  /** Cosine similarity, -1..1. */
  score: number;
}

export interface ScoredUser {
  user: UserRecord;
  score: number;
}

export interface DeleteFacesResult {
  deleted: string[];
  unsuccessful: {
    faceId: string;
    userId?: string;
    reason: 'FACE_NOT_FOUND' | 'ASSOCIATED_TO_AN_EXISTING_USER';
  }[];
}

export interface FaceOwnershipResult {
  /** Faces whose ownership changed. */
  changed: string[];
  unsuccessful: {
    faceId: string;
    userId?: string;
    reason: 'FACE_NOT_FOUND' | 'ASSOCIATED_TO_A_DIFFERENT_USER';
  }[];
  /** The user after the change. */
  user: UserRecord;
}
