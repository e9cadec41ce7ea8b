import type { AnalyzedFace, FaceAnalyzer } from '../analysis/face-analyzer.js';
import {
  AccessDeniedException,
  InvalidParameterException,
  ServiceQuotaExceededException,
  UnknownOperationException,
} from '../errors/exceptions.js';
import { userNotFound } from '../errors/not-found.js';
import type {
  AssociateFacesRequest,
  AssociateFacesResponse,
  ComparedFace,
  CompareFacesRequest,
  CompareFacesResponse,
  CreateCollectionRequest,
  CreateCollectionResponse,
  CreateUserRequest,
  CreateUserResponse,
  DeleteCollectionRequest,
  DeleteCollectionResponse,
  DeleteFacesRequest,
  DeleteFacesResponse,
  DeleteUserRequest,
  DeleteUserResponse,
  DescribeCollectionRequest,
  DescribeCollectionResponse,
  DetectFacesRequest,
  DetectFacesResponse,
  DisassociateFacesRequest,
  DisassociateFacesResponse,
  Face,
  FaceDetail,
  FaceRecord,
  IndexFacesRequest,
  IndexFacesResponse,
  ListCollectionsRequest,
  ListCollectionsResponse,
  ListFacesRequest,
  ListFacesResponse,
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  ListUsersRequest,
  ListUsersResponse,
  OperationName,
  OperationShapes,
  SearchFacesByImageRequest,
  SearchFacesByImageResponse,
  SearchFacesRequest,
  SearchFacesResponse,
  SearchUsersByImageRequest,
  SearchUsersByImageResponse,
  SearchUsersRequest,
  SearchUsersResponse,
  TagResourceRequest,
  TagResourceResponse,
  UnindexedFace,
  UnsearchedFace,
  UntagResourceRequest,
  UntagResourceResponse,
  UserStatus,
} from '../model/wire-types.generated.js';
import type {
  CollectionStats,
  FaceMetadata,
  FaceStore,
  StoredFace,
  UserRecord,
} from '../storage/face-store.js';
import { validateRequest } from '../validation/validate-shape.js';
import { dot } from '../vector/vector-math.js';
import { type ArnScope, collectionArn, collectionIdFromArn } from './collection-arn.js';
import { IdempotencyCache } from './idempotency-cache.js';
import { contentImageId, imageBytes } from './image-input.js';
import { KeyedMutex } from './keyed-mutex.js';
import { decodePaginationToken, encodePaginationToken } from './pagination-token.js';
import { qualityReasons } from './quality-filter.js';
import { linearSimilarityScale, type SimilarityScale } from './similarity-scale.js';

/** Limits and defaults the Rekognition model leaves to the service. */
export interface FaceServiceLimits {
  /** Faces one collection may hold (Rekognition: 20 million). */
  maxFacesPerCollection: number;
  /** Faces IndexFaces indexes from one image at most (Rekognition: 100). */
  maxFacesPerImage: number;
  /** Faces one UserID may own (Rekognition: 100). */
  maxFacesPerUser: number;
  /** Tags on one collection (AWS tagging: 50). */
  maxTagsPerResource: number;
  /** Page size of ListCollections/ListFaces when `MaxResults` is absent or 0. */
  defaultPageSize: number;
  /** Page size of ListUsers when `MaxResults` is absent. */
  defaultUserPageSize: number;
  /** SearchFaces `MaxFaces` when absent (the API's maximum). */
  defaultMaxFaces: number;
  /** SearchUsers `MaxUsers` when absent (the API's maximum). */
  defaultMaxUsers: number;
  /** How long a `ClientRequestToken` is remembered, in milliseconds. */
  idempotencyTtlMs: number;
  /** How many tokens are remembered at most. */
  idempotencyMaxEntries: number;
}

/** Rekognition's documented quotas and page sizes, the defaults of {@link FaceServiceLimits}. */
export const defaultFaceServiceLimits: FaceServiceLimits = {
  maxFacesPerCollection: 20_000_000,
  maxFacesPerImage: 100,
  maxFacesPerUser: 100,
  maxTagsPerResource: 50,
  defaultPageSize: 1000,
  defaultUserPageSize: 500,
  defaultMaxFaces: 4096,
  defaultMaxUsers: 500,
  idempotencyTtlMs: 24 * 60 * 60 * 1000,
  idempotencyMaxEntries: 10_000,
};

/** What a {@link FaceService} runs on; only `store` is required. */
export interface FaceServiceOptions {
  /** Where collections, faces, users and tags live (`@facekit/storage-sqlite`, `-memory`...). */
  store: FaceStore;
  /** Region inside ARNs. Default `us-east-1`. */
  region?: string;
  /** 12-digit account id inside ARNs. Default `000000000000`. */
  accountId?: string;
  /**
   * The neural pipelines this service can run, one per face model version. New collections get
   * the default one's version (see `faceModelVersion`), and every collection is served by the
   * analyzer of its own version, so vectors of two models are never mixed. Without analyzers
   * the image operations answer `AccessDeniedException`.
   */
  analyzers?: readonly FaceAnalyzer[];
  /**
   * `FaceModelVersion` of new collections: selects the default analyzer. Default: the first
   * analyzer's version, or `7.0` when there is none.
   */
  faceModelVersion?: string;
  /** Similarity calibration for collections whose model has no analyzer here. Default: linear. */
  similarity?: SimilarityScale;
  limits?: Partial<FaceServiceLimits>;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
}

type Handler<Op extends OperationName> = (
  input: OperationShapes[Op]['input'],
) => Promise<OperationShapes[Op]['output']>;

/**
 * Amazon Rekognition's face operations over a {@link FaceStore}. Every method takes and returns
 * the wire shapes (PascalCase, epoch seconds), validates its input against the API model, and
 * throws only {@link RekognitionError}s. Frontends call {@link FaceService.execute}.
 */
export class FaceService {
  readonly store: FaceStore;
  readonly faceModelVersion: string;
  readonly limits: FaceServiceLimits;
  readonly #scope: ArnScope;
  readonly #similarity: SimilarityScale;
  readonly #analyzers: ReadonlyMap<string, FaceAnalyzer>;
  readonly #defaultAnalyzer: FaceAnalyzer | undefined;
  readonly #now: () => number;
  readonly #collectionLocks = new KeyedMutex();
  readonly #idempotency: IdempotencyCache;

  constructor(options: FaceServiceOptions) {
    this.store = options.store;
    const analyzers = options.analyzers ?? [];
    this.#analyzers = new Map(analyzers.map((a) => [a.faceModelVersion, a]));
    this.faceModelVersion = options.faceModelVersion ?? analyzers[0]?.faceModelVersion ?? '7.0';
    this.#defaultAnalyzer = this.#analyzers.get(this.faceModelVersion);
    this.limits = { ...defaultFaceServiceLimits, ...options.limits };
    this.#scope = {
      region: options.region ?? 'us-east-1',
      accountId: options.accountId ?? '000000000000',
    };
    this.#similarity = options.similarity ?? linearSimilarityScale;
    this.#now = options.now ?? (() => Date.now());
    this.#idempotency = new IdempotencyCache({
      ttlMs: this.limits.idempotencyTtlMs,
      maxEntries: this.limits.idempotencyMaxEntries,
      now: this.#now,
    });
  }

  /** Runs one operation by name with an untrusted, not yet validated wire input. */
  async execute<Op extends OperationName>(
    operation: Op,
    input: unknown,
  ): Promise<OperationShapes[Op]['output']> {
    const handler = this.#handlers[operation] as Handler<Op> | undefined;
    if (!handler) throw new UnknownOperationException(`Unknown operation: ${operation}`);
    return handler(validateRequest(operation, input));
  }

  readonly #handlers: { [Op in OperationName]: Handler<Op> } = {
    CreateCollection: (i) => this.#createCollection(i),
    DeleteCollection: (i) => this.#deleteCollection(i),
    DescribeCollection: (i) => this.#describeCollection(i),
    ListCollections: (i) => this.#listCollections(i),
    IndexFaces: (i) => this.#indexFaces(i),
    ListFaces: (i) => this.#listFaces(i),
    DeleteFaces: (i) => this.#deleteFaces(i),
    SearchFaces: (i) => this.#searchFaces(i),
    SearchFacesByImage: (i) => this.#searchFacesByImage(i),
    DetectFaces: (i) => this.#detectFaces(i),
    CompareFaces: (i) => this.#compareFaces(i),
    CreateUser: (i) => this.#createUser(i),
    DeleteUser: (i) => this.#deleteUser(i),
    ListUsers: (i) => this.#listUsers(i),
    AssociateFaces: (i) => this.#associateFaces(i),
    DisassociateFaces: (i) => this.#disassociateFaces(i),
    SearchUsers: (i) => this.#searchUsers(i),
    SearchUsersByImage: (i) => this.#searchUsersByImage(i),
    TagResource: (i) => this.#tagResource(i),
    UntagResource: (i) => this.#untagResource(i),
    ListTagsForResource: (i) => this.#listTagsForResource(i),
  };

  /**
   * Creates an empty collection bound to this service's default face model (`FaceModelVersion`).
   * @throws {ResourceAlreadyExistsException} when the id is taken.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_CreateCollection.html
   */
  createCollection(input: CreateCollectionRequest): Promise<CreateCollectionResponse> {
    return this.execute('CreateCollection', input);
  }

  /**
   * Deletes a collection with its faces, users and tags.
   * @throws {ResourceNotFoundException} when there is no such collection.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DeleteCollection.html
   */
  deleteCollection(input: DeleteCollectionRequest): Promise<DeleteCollectionResponse> {
    return this.execute('DeleteCollection', input);
  }

  /**
   * Face and user counts, face model, ARN and creation time (epoch seconds) of a collection.
   * @throws {ResourceNotFoundException} when there is no such collection.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DescribeCollection.html
   */
  describeCollection(input: DescribeCollectionRequest): Promise<DescribeCollectionResponse> {
    return this.execute('DescribeCollection', input);
  }

  /**
   * Collection ids with their face model versions, in creation order, a page at a time
   * (`MaxResults`, `NextToken`).
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_ListCollections.html
   */
  listCollections(input: ListCollectionsRequest = {}): Promise<ListCollectionsResponse> {
    return this.execute('ListCollections', input);
  }

  /**
   * Detects the faces in `Image.Bytes` (base64) and stores the largest `MaxFaces` of them,
   * with `ExternalImageId`; faces filtered out (`QualityFilter`, `MaxFaces`) are reported in
   * `UnindexedFaces`. Needs an analyzer for the collection's face model.
   * @throws {ResourceNotFoundException} when there is no such collection.
   * @throws {InvalidImageFormatException} for anything but JPEG and PNG.
   * @throws {AccessDeniedException} when this service has no analyzer for the collection's model.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_IndexFaces.html
   */
  indexFaces(input: IndexFacesRequest): Promise<IndexFacesResponse> {
    return this.execute('IndexFaces', input);
  }

  /**
   * The faces of a collection (optionally of one `UserId` or `FaceIds`), a page at a time.
   * @throws {ResourceNotFoundException} when there is no such collection.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_ListFaces.html
   */
  listFaces(input: ListFacesRequest): Promise<ListFacesResponse> {
    return this.execute('ListFaces', input);
  }

  /**
   * Deletes faces by id; ids that do not exist are returned in `UnsuccessfulFaceDeletions`.
   * @throws {ResourceNotFoundException} when there is no such collection.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DeleteFaces.html
   */
  deleteFaces(input: DeleteFacesRequest): Promise<DeleteFacesResponse> {
    return this.execute('DeleteFaces', input);
  }

  /**
   * Faces of the collection most similar to a stored face, at least `FaceMatchThreshold`
   * percent similar (default 80), best first; the face itself is left out.
   * @throws {ResourceNotFoundException} when the collection or the face does not exist.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_SearchFaces.html
   */
  searchFaces(input: SearchFacesRequest): Promise<SearchFacesResponse> {
    return this.execute('SearchFaces', input);
  }

  /**
   * Faces of the collection most similar to the largest face in `Image`, best first, with
   * that face's box and confidence.
   * @throws {InvalidParameterException} when the image has no face.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_SearchFacesByImage.html
   */
  searchFacesByImage(input: SearchFacesByImageRequest): Promise<SearchFacesByImageResponse> {
    return this.execute('SearchFacesByImage', input);
  }

  /**
   * Finds the faces in `Image` (at most 100, largest first) with boxes, landmarks, pose and
   * quality; `Attributes: ['ALL']` adds what the analyzer can compute (age, gender, emotions...).
   * @throws {InvalidImageFormatException} for anything but JPEG and PNG.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DetectFaces.html
   */
  detectFaces(input: DetectFacesRequest): Promise<DetectFacesResponse> {
    return this.execute('DetectFaces', input);
  }

  /**
   * Compares the largest face of `SourceImage` with every face of `TargetImage`:
   * `FaceMatches` at or above `SimilarityThreshold` (default 80), the rest `UnmatchedFaces`.
   * @throws {InvalidParameterException} when the source image has no face.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_CompareFaces.html
   */
  compareFaces(input: CompareFacesRequest): Promise<CompareFacesResponse> {
    return this.execute('CompareFaces', input);
  }

  /**
   * Creates a user in a collection; faces are then attached with {@link FaceService.associateFaces}.
   * Idempotent with `ClientRequestToken`.
   * @throws {ConflictException} when the user exists.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_CreateUser.html
   */
  createUser(input: CreateUserRequest): Promise<CreateUserResponse> {
    return this.execute('CreateUser', input);
  }

  /**
   * Deletes a user; its faces stay in the collection, unassociated.
   * @throws {ResourceNotFoundException} when there is no such user.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DeleteUser.html
   */
  deleteUser(input: DeleteUserRequest): Promise<DeleteUserResponse> {
    return this.execute('DeleteUser', input);
  }

  /**
   * The users of a collection, a page at a time.
   * @throws {ResourceNotFoundException} when there is no such collection.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_ListUsers.html
   */
  listUsers(input: ListUsersRequest): Promise<ListUsersResponse> {
    return this.execute('ListUsers', input);
  }

  /**
   * Attaches faces to a user (at most 100 per user). With `UserMatchThreshold`, a face must
   * be that similar to the user's existing faces.
   * @throws {ResourceNotFoundException} when the collection or the user does not exist.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_AssociateFaces.html
   */
  associateFaces(input: AssociateFacesRequest): Promise<AssociateFacesResponse> {
    return this.execute('AssociateFaces', input);
  }

  /**
   * Detaches faces from a user.
   * @throws {ResourceNotFoundException} when the collection or the user does not exist.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DisassociateFaces.html
   */
  disassociateFaces(input: DisassociateFacesRequest): Promise<DisassociateFacesResponse> {
    return this.execute('DisassociateFaces', input);
  }

  /**
   * Users whose faces are most similar to a user or a stored face, best first.
   * @throws {ResourceNotFoundException} when the collection, user or face does not exist.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_SearchUsers.html
   */
  searchUsers(input: SearchUsersRequest): Promise<SearchUsersResponse> {
    return this.execute('SearchUsers', input);
  }

  /**
   * Users whose faces are most similar to the largest face in `Image`, best first.
   * @throws {InvalidParameterException} when the image has no face.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_SearchUsersByImage.html
   */
  searchUsersByImage(input: SearchUsersByImageRequest): Promise<SearchUsersByImageResponse> {
    return this.execute('SearchUsersByImage', input);
  }

  /**
   * Adds or replaces tags of a collection, named by its ARN (at most 50 tags).
   * @throws {ServiceQuotaExceededException} beyond 50 tags.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_TagResource.html
   */
  tagResource(input: TagResourceRequest): Promise<TagResourceResponse> {
    return this.execute('TagResource', input);
  }

  /**
   * Removes tags of a collection, named by its ARN.
   * @throws {ResourceNotFoundException} when there is no such collection.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_UntagResource.html
   */
  untagResource(input: UntagResourceRequest): Promise<UntagResourceResponse> {
    return this.execute('UntagResource', input);
  }

  /**
   * The tags of a collection, named by its ARN.
   * @throws {ResourceNotFoundException} when there is no such collection.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_ListTagsForResource.html
   */
  listTagsForResource(input: ListTagsForResourceRequest): Promise<ListTagsForResourceResponse> {
    return this.execute('ListTagsForResource', input);
  }

  // ---- collections -------------------------------------------------------------------------

  async #createCollection(input: CreateCollectionRequest): Promise<CreateCollectionResponse> {
    const tags = input.Tags ?? {};
    this.#checkTagCount(Object.keys(tags).length);
    await this.store.createCollection(
      {
        collectionId: input.CollectionId,
        faceModelVersion: this.faceModelVersion,
        createdAt: this.#now(),
      },
      tags,
    );
    return {
      StatusCode: 200,
      // Rekognition's documented CreateCollection ARN has no `arn:` prefix (DescribeCollection's has).
      CollectionArn: collectionArn(this.#scope, input.CollectionId).slice('arn:'.length),
      FaceModelVersion: this.faceModelVersion,
    };
  }

  async #deleteCollection(input: DeleteCollectionRequest): Promise<DeleteCollectionResponse> {
    await this.#collectionLocks.run(input.CollectionId, () =>
      this.store.deleteCollection(input.CollectionId),
    );
    return { StatusCode: 200 };
  }

  async #describeCollection(input: DescribeCollectionRequest): Promise<DescribeCollectionResponse> {
    const stats = await this.store.describeCollection(input.CollectionId);
    return {
      FaceCount: stats.faceCount,
      FaceModelVersion: stats.faceModelVersion,
      CollectionARN: collectionArn(this.#scope, stats.collectionId),
      CreationTimestamp: stats.createdAt / 1000,
      UserCount: stats.userCount,
    };
  }

  async #listCollections(input: ListCollectionsRequest): Promise<ListCollectionsResponse> {
    const context = 'ListCollections';
    const page = await this.store.listCollections({
      limit: input.MaxResults || this.limits.defaultPageSize,
      after: this.#cursor(context, input.NextToken),
    });
    return {
      CollectionIds: page.items.map((c) => c.collectionId),
      FaceModelVersions: page.items.map((c) => c.faceModelVersion),
      ...this.#nextToken(context, page.next),
    };
  }

  // ---- faces -------------------------------------------------------------------------------

  async #listFaces(input: ListFacesRequest): Promise<ListFacesResponse> {
    const { CollectionId, UserId, FaceIds } = input;
    const context = `ListFaces\u0000${CollectionId}\u0000${UserId ?? ''}\u0000${(FaceIds ?? []).join(',')}`;
    const [collection, page] = await Promise.all([
      this.store.describeCollection(CollectionId),
      this.store.listFaces(
        CollectionId,
        {
          limit: input.MaxResults || this.limits.defaultPageSize,
          after: this.#cursor(context, input.NextToken),
        },
        { userId: UserId, faceIds: FaceIds },
      ),
    ]);
    return {
      Faces: page.items.map(toWireFace),
      ...this.#nextToken(context, page.next),
      FaceModelVersion: collection.faceModelVersion,
    };
  }

  async #deleteFaces(input: DeleteFacesRequest): Promise<DeleteFacesResponse> {
    const result = await this.#collectionLocks.run(input.CollectionId, () =>
      this.store.deleteFaces(input.CollectionId, input.FaceIds),
    );
    return {
      DeletedFaces: result.deleted,
      UnsuccessfulFaceDeletions: result.unsuccessful.map((u) => ({
        FaceId: u.faceId,
        ...(u.userId === undefined ? {} : { UserId: u.userId }),
        Reasons: [u.reason],
      })),
    };
  }

  async #searchFaces(input: SearchFacesRequest): Promise<SearchFacesResponse> {
    const { CollectionId, FaceId } = input;
    const [collection, [face]] = await Promise.all([
      this.store.describeCollection(CollectionId),
      this.store.getFaces(CollectionId, [FaceId]),
    ]);
    if (!face) {
      throw new InvalidParameterException(
        `faceId ${FaceId} was not found in the collection ${CollectionId}`,
      );
    }
    return {
      SearchedFaceId: FaceId,
      FaceMatches: await this.#faceMatches(collection, face.vector, {
        threshold: input.FaceMatchThreshold ?? 80,
        maxFaces: input.MaxFaces,
        excludeFaceIds: [FaceId],
      }),
      FaceModelVersion: collection.faceModelVersion,
    };
  }

  // ---- users -------------------------------------------------------------------------------

  #createUser(input: CreateUserRequest): Promise<CreateUserResponse> {
    const { ClientRequestToken, ...params } = input;
    return this.#idempotency.run('CreateUser', ClientRequestToken, params, async () => {
      await this.#collectionLocks.run(input.CollectionId, () =>
        this.store.createUser(input.CollectionId, { userId: input.UserId, createdAt: this.#now() }),
      );
      return {};
    });
  }

  #deleteUser(input: DeleteUserRequest): Promise<DeleteUserResponse> {
    const { ClientRequestToken, ...params } = input;
    return this.#idempotency.run('DeleteUser', ClientRequestToken, params, async () => {
      await this.#collectionLocks.run(input.CollectionId, () =>
        this.store.deleteUser(input.CollectionId, input.UserId),
      );
      return {};
    });
  }

  async #listUsers(input: ListUsersRequest): Promise<ListUsersResponse> {
    const context = `ListUsers\u0000${input.CollectionId}`;
    const page = await this.store.listUsers(input.CollectionId, {
      limit: input.MaxResults ?? this.limits.defaultUserPageSize,
      after: this.#cursor(context, input.NextToken),
    });
    return {
      Users: page.items.map((u) => ({ UserId: u.userId, UserStatus: userStatus(u) })),
      ...this.#nextToken(context, page.next),
    };
  }

  #associateFaces(input: AssociateFacesRequest): Promise<AssociateFacesResponse> {
    const { ClientRequestToken, ...params } = input;
    const { CollectionId, UserId, FaceIds } = input;
    const threshold = input.UserMatchThreshold ?? 75;
    return this.#idempotency.run('AssociateFaces', ClientRequestToken, params, () =>
      this.#collectionLocks.run(CollectionId, async () => {
        const collection = await this.store.describeCollection(CollectionId);
        const scale = this.#similarityFor(collection);
        const user = await this.store.getUser(CollectionId, UserId);
        if (!user) throw userNotFound(CollectionId, UserId);
        // The threshold only applies once the user has a face to compare against.
        const userVector = await this.store.getUserVector(CollectionId, UserId);
        const lowConfidence: NonNullable<AssociateFacesResponse['UnsuccessfulFaceAssociations']> =
          [];
        let candidates: readonly string[] = FaceIds;
        if (userVector) {
          const faces = await this.store.getFaces(CollectionId, FaceIds);
          const tooDifferent = new Set<string>();
          for (const face of faces) {
            if (face.userId !== undefined) continue;
            const similarity = scale.toPercent(dot(face.vector, userVector));
            if (similarity < threshold) {
              tooDifferent.add(face.faceId);
              lowConfidence.push({
                FaceId: face.faceId,
                Confidence: similarity,
                Reasons: ['LOW_MATCH_CONFIDENCE'],
              });
            }
          }
          candidates = FaceIds.filter((id) => !tooDifferent.has(id));
        }
        const result = await this.store.associateFaces(
          CollectionId,
          UserId,
          candidates,
          this.limits.maxFacesPerUser,
        );
        return {
          AssociatedFaces: result.changed.map((FaceId) => ({ FaceId })),
          UnsuccessfulFaceAssociations: [
            ...result.unsuccessful.map((u) => ({
              FaceId: u.faceId,
              ...(u.userId === undefined ? {} : { UserId: u.userId }),
              Reasons: [u.reason],
            })),
            ...lowConfidence,
          ],
          UserStatus: userStatus(result.user),
        };
      }),
    );
  }

  #disassociateFaces(input: DisassociateFacesRequest): Promise<DisassociateFacesResponse> {
    const { ClientRequestToken, ...params } = input;
    return this.#idempotency.run('DisassociateFaces', ClientRequestToken, params, async () => {
      const result = await this.#collectionLocks.run(input.CollectionId, () =>
        this.store.disassociateFaces(input.CollectionId, input.UserId, input.FaceIds),
      );
      return {
        DisassociatedFaces: result.changed.map((FaceId) => ({ FaceId })),
        UnsuccessfulFaceDisassociations: result.unsuccessful.map((u) => ({
          FaceId: u.faceId,
          ...(u.userId === undefined ? {} : { UserId: u.userId }),
          Reasons: [u.reason],
        })),
        UserStatus: userStatus(result.user),
      };
    });
  }

  async #searchUsers(input: SearchUsersRequest): Promise<SearchUsersResponse> {
    const { CollectionId, UserId, FaceId } = input;
    if ((UserId === undefined) === (FaceId === undefined)) {
      throw new InvalidParameterException('Provide exactly one of UserId and FaceId.');
    }
    const collection = await this.store.describeCollection(CollectionId);
    let vector: Float32Array | undefined;
    if (UserId !== undefined) {
      const user = await this.store.getUser(CollectionId, UserId);
      if (!user) throw userNotFound(CollectionId, UserId);
      vector = await this.store.getUserVector(CollectionId, UserId);
    } else {
      const [face] = await this.store.getFaces(CollectionId, [FaceId as string]);
      if (!face) {
        throw new InvalidParameterException(
          `faceId ${FaceId} was not found in the collection ${CollectionId}`,
        );
      }
      vector = face.vector;
    }
    return {
      UserMatches: vector
        ? await this.#userMatches(collection, vector, {
            threshold: input.UserMatchThreshold ?? 80,
            maxUsers: input.MaxUsers,
            excludeUserIds: UserId === undefined ? [] : [UserId],
          })
        : [],
      FaceModelVersion: collection.faceModelVersion,
      ...(UserId !== undefined ? { SearchedUser: { UserId } } : { SearchedFace: { FaceId } }),
    };
  }

  // ---- images ------------------------------------------------------------------------------

  async #detectFaces(input: DetectFacesRequest): Promise<DetectFacesResponse> {
    const analysis = await this.#analyzer('DetectFaces').analyze(imageBytes(input.Image), {
      attributes: input.Attributes ?? ['DEFAULT'],
      embedLargest: 0,
    });
    return { FaceDetails: analysis.faces.map((f) => f.detail) };
  }

  async #indexFaces(input: IndexFacesRequest): Promise<IndexFacesResponse> {
    const { CollectionId, ExternalImageId } = input;
    const bytes = imageBytes(input.Image);
    const collection = await this.store.describeCollection(CollectionId);
    const analyzer = this.#analyzerFor('IndexFaces', collection);
    const [analysis, imageId] = await Promise.all([
      analyzer.analyze(bytes, {
        attributes: input.DetectionAttributes ?? ['DEFAULT'],
        embedLargest: this.limits.maxFacesPerImage,
      }),
      contentImageId(bytes),
    ]);

    // Quality filter first, then MaxFaces: faces that clear the HIGH bar are kept before the
    // others, and within each group the largest (the analyzer's order) first.
    const filter = input.QualityFilter ?? 'AUTO';
    const unindexed: UnindexedFace[] = [];
    const candidates: AnalyzedFace[] = [];
    for (const face of analysis.faces) {
      const reasons = qualityReasons(face, filter);
      if (reasons.length > 0) unindexed.push({ Reasons: reasons, FaceDetail: face.detail });
      else candidates.push(face);
    }
    const maxFaces = Math.min(
      input.MaxFaces ?? Number.POSITIVE_INFINITY,
      this.limits.maxFacesPerImage,
    );
    const ranked = [...candidates].sort(
      (a, b) =>
        Number(qualityReasons(a, 'HIGH').length > 0) - Number(qualityReasons(b, 'HIGH').length > 0),
    );
    const kept = new Set(ranked.slice(0, maxFaces));
    for (const face of candidates) {
      if (!kept.has(face))
        unindexed.push({ Reasons: ['EXCEEDS_MAX_FACES'], FaceDetail: face.detail });
    }
    const toIndex = candidates.filter((face) => kept.has(face));

    const records = await this.#collectionLocks.run(CollectionId, async () => {
      const current = await this.store.describeCollection(CollectionId);
      if (current.faceModelVersion !== collection.faceModelVersion) {
        throw new InvalidParameterException(
          `Collection ${CollectionId} changed while indexing; retry.`,
        );
      }
      // Same image, same collection, same ExternalImageId: Rekognition stores nothing new.
      const existing = (await this.store.findFacesByImage(CollectionId, imageId)).filter(
        (f) => f.externalImageId === ExternalImageId,
      );
      if (existing.length > 0) {
        return existing.map(
          (face, i): FaceRecord => ({
            Face: toWireFace(face),
            ...(toIndex[i] ? { FaceDetail: toIndex[i].detail } : {}),
          }),
        );
      }
      if (current.faceCount + toIndex.length > this.limits.maxFacesPerCollection) {
        throw new ServiceQuotaExceededException(
          `Collection ${CollectionId} holds ${current.faceCount} faces; the limit is ${this.limits.maxFacesPerCollection}.`,
        );
      }
      const now = this.#now();
      const stored = toIndex.map(
        (face): StoredFace => ({
          faceId: crypto.randomUUID(),
          imageId,
          ...(ExternalImageId === undefined ? {} : { externalImageId: ExternalImageId }),
          boundingBox: fromWireBox(face.detail),
          confidence: face.detail.Confidence ?? 0,
          indexFacesModelVersion: collection.faceModelVersion,
          createdAt: now,
          vector: embeddingOf(face),
        }),
      );
      await this.store.putFaces(CollectionId, stored);
      return stored.map(
        (face, i): FaceRecord => ({ Face: toWireFace(face), FaceDetail: toIndex[i].detail }),
      );
    });
    return {
      FaceRecords: records,
      FaceModelVersion: collection.faceModelVersion,
      UnindexedFaces: unindexed,
    };
  }

  async #searchFacesByImage(input: SearchFacesByImageRequest): Promise<SearchFacesByImageResponse> {
    const collection = await this.store.describeCollection(input.CollectionId);
    const analyzer = this.#analyzerFor('SearchFacesByImage', collection);
    const { searched } = await this.#largestFace(
      analyzer,
      imageBytes(input.Image),
      input.QualityFilter,
    );
    if (!searched) {
      throw new InvalidParameterException('There are no faces in the image. Should be at least 1.');
    }
    return {
      SearchedFaceBoundingBox: searched.detail.BoundingBox,
      SearchedFaceConfidence: searched.detail.Confidence,
      FaceMatches: await this.#faceMatches(collection, embeddingOf(searched), {
        threshold: input.FaceMatchThreshold ?? 80,
        maxFaces: input.MaxFaces,
      }),
      FaceModelVersion: collection.faceModelVersion,
    };
  }

  async #searchUsersByImage(input: SearchUsersByImageRequest): Promise<SearchUsersByImageResponse> {
    const collection = await this.store.describeCollection(input.CollectionId);
    const analyzer = this.#analyzerFor('SearchUsersByImage', collection);
    const { searched, unsearched } = await this.#largestFace(
      analyzer,
      imageBytes(input.Image),
      input.QualityFilter,
    );
    // Unlike SearchFacesByImage, no usable face is not an error: just no matches.
    return {
      UserMatches: searched
        ? await this.#userMatches(collection, embeddingOf(searched), {
            threshold: input.UserMatchThreshold ?? 80,
            maxUsers: input.MaxUsers,
          })
        : [],
      FaceModelVersion: collection.faceModelVersion,
      ...(searched ? { SearchedFace: { FaceDetail: searched.detail } } : {}),
      UnsearchedFaces: unsearched,
    };
  }

  async #compareFaces(input: CompareFacesRequest): Promise<CompareFacesResponse> {
    const analyzer = this.#analyzer('CompareFaces');
    const source = imageBytes(input.SourceImage, 'SourceImage');
    const target = imageBytes(input.TargetImage, 'TargetImage');
    const filter = input.QualityFilter ?? 'NONE';
    const [{ searched }, targetAnalysis] = await Promise.all([
      this.#largestFace(analyzer, source, filter),
      analyzer.analyze(target, {
        attributes: ['DEFAULT'],
        embedLargest: this.limits.maxFacesPerImage,
      }),
    ]);
    const targets = targetAnalysis.faces.filter((f) => qualityReasons(f, filter).length === 0);
    if (!searched) throw new InvalidParameterException('There are no faces in the source image.');
    if (targets.length === 0)
      throw new InvalidParameterException('There are no faces in the target image.');
    const threshold = input.SimilarityThreshold ?? 80;
    const sourceVector = embeddingOf(searched);
    const matches: NonNullable<CompareFacesResponse['FaceMatches']> = [];
    const unmatched: ComparedFace[] = [];
    for (const face of targets) {
      const similarity = analyzer.similarity.toPercent(dot(sourceVector, embeddingOf(face)));
      if (similarity >= threshold)
        matches.push({ Similarity: similarity, Face: comparedFace(face.detail) });
      else unmatched.push(comparedFace(face.detail));
    }
    matches.sort((a, b) => (b.Similarity ?? 0) - (a.Similarity ?? 0));
    return {
      SourceImageFace: {
        BoundingBox: searched.detail.BoundingBox,
        Confidence: searched.detail.Confidence,
      },
      FaceMatches: matches,
      UnmatchedFaces: unmatched,
    };
  }

  /**
   * The largest face that clears `filter` (the one Rekognition searches with), embedded, and
   * every other face with the reason it was not used.
   */
  async #largestFace(
    analyzer: FaceAnalyzer,
    bytes: Uint8Array,
    filter: IndexFacesRequest['QualityFilter'] = 'NONE',
  ): Promise<{ searched?: AnalyzedFace; unsearched: UnsearchedFace[] }> {
    const analysis = await analyzer.analyze(bytes, {
      attributes: ['DEFAULT'],
      // With a filter the largest usable face may not be the largest face.
      embedLargest: filter === 'NONE' ? 1 : this.limits.maxFacesPerImage,
    });
    let searched: AnalyzedFace | undefined;
    const unsearched: UnsearchedFace[] = [];
    for (const face of analysis.faces) {
      const reasons = qualityReasons(face, filter);
      if (reasons.length > 0) unsearched.push({ FaceDetails: face.detail, Reasons: reasons });
      else if (!searched) searched = face;
      else unsearched.push({ FaceDetails: face.detail, Reasons: ['FACE_NOT_LARGEST'] });
    }
    return { searched, unsearched };
  }

  // ---- tags --------------------------------------------------------------------------------

  async #tagResource(input: TagResourceRequest): Promise<TagResourceResponse> {
    const collectionId = collectionIdFromArn(this.#scope, input.ResourceArn);
    this.#checkTagCount(Object.keys(input.Tags).length);
    await this.store.tagCollection(collectionId, input.Tags, this.limits.maxTagsPerResource);
    return {};
  }

  async #untagResource(input: UntagResourceRequest): Promise<UntagResourceResponse> {
    await this.store.untagCollection(
      collectionIdFromArn(this.#scope, input.ResourceArn),
      input.TagKeys,
    );
    return {};
  }

  async #listTagsForResource(
    input: ListTagsForResourceRequest,
  ): Promise<ListTagsForResourceResponse> {
    return { Tags: await this.store.getTags(collectionIdFromArn(this.#scope, input.ResourceArn)) };
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** The analyzer for new collections and collection-less operations (DetectFaces, CompareFaces). */
  #analyzer(operation: OperationName): FaceAnalyzer {
    if (!this.#defaultAnalyzer) {
      throw new AccessDeniedException(
        `${operation} needs a face analyzer (detector and embedder), and this server was started without one.`,
      );
    }
    return this.#defaultAnalyzer;
  }

  /** The analyzer of a collection's own face model: vectors of two models never meet. */
  #analyzerFor(operation: OperationName, collection: CollectionStats): FaceAnalyzer {
    const analyzer = this.#analyzers.get(collection.faceModelVersion);
    if (analyzer) return analyzer;
    if (this.#analyzers.size === 0) return this.#analyzer(operation);
    throw new InvalidParameterException(
      `Collection ${collection.collectionId} uses face model version ${collection.faceModelVersion}, which this server does not run (it runs ${[...this.#analyzers.keys()].join(', ')}).`,
    );
  }

  #similarityFor(collection: CollectionStats): SimilarityScale {
    return this.#analyzers.get(collection.faceModelVersion)?.similarity ?? this.#similarity;
  }

  /** Faces of `collection` matching `vector` at or above `threshold` percent, best first. */
  async #faceMatches(
    collection: CollectionStats,
    vector: Float32Array,
    options: { threshold: number; maxFaces?: number; excludeFaceIds?: readonly string[] },
  ): Promise<NonNullable<SearchFacesResponse['FaceMatches']>> {
    const scale = this.#similarityFor(collection);
    const matches = await this.store.searchFaces(collection.collectionId, vector, {
      limit: options.maxFaces ?? this.limits.defaultMaxFaces,
      // No store-side cut-off at 0, where every match qualifies (even a negative cosine).
      minScore: options.threshold > 0 ? scale.toCosine(options.threshold) : undefined,
      excludeFaceIds: options.excludeFaceIds,
    });
    return matches
      .map((m) => ({ Similarity: scale.toPercent(m.score), Face: toWireFace(m.face) }))
      .filter((m) => m.Similarity >= options.threshold);
  }

  /** Users of `collection` matching `vector` at or above `threshold` percent, best first. */
  async #userMatches(
    collection: CollectionStats,
    vector: Float32Array,
    options: { threshold: number; maxUsers?: number; excludeUserIds?: readonly string[] },
  ): Promise<NonNullable<SearchUsersResponse['UserMatches']>> {
    const scale = this.#similarityFor(collection);
    const matches = await this.store.searchUsers(collection.collectionId, vector, {
      limit: options.maxUsers ?? this.limits.defaultMaxUsers,
      minScore: options.threshold > 0 ? scale.toCosine(options.threshold) : undefined,
      excludeUserIds: options.excludeUserIds,
    });
    return matches
      .map((m) => ({
        Similarity: scale.toPercent(m.score),
        User: { UserId: m.user.userId, UserStatus: userStatus(m.user) },
      }))
      .filter((m) => m.Similarity >= options.threshold);
  }

  #checkTagCount(count: number): void {
    if (count > this.limits.maxTagsPerResource) {
      throw new ServiceQuotaExceededException(
        `Too many tags: ${count}; a resource holds at most ${this.limits.maxTagsPerResource}.`,
      );
    }
  }

  #cursor(context: string, token: string | undefined): string | undefined {
    return token ? decodePaginationToken(context, token) : undefined;
  }

  #nextToken(context: string, cursor: string | undefined): { NextToken?: string } {
    return cursor === undefined ? {} : { NextToken: encodePaginationToken(context, cursor) };
  }
}

function userStatus(user: UserRecord): UserStatus {
  return user.faceCount > 0 ? 'ACTIVE' : 'CREATED';
}

function embeddingOf(face: AnalyzedFace): Float32Array {
  if (!face.embedding) throw new Error('analyzer returned a face without the embedding asked for');
  return face.embedding;
}

function fromWireBox(detail: FaceDetail): StoredFace['boundingBox'] {
  const { Width = 0, Height = 0, Left = 0, Top = 0 } = detail.BoundingBox ?? {};
  return { width: Width, height: Height, left: Left, top: Top };
}

/** The members of a `FaceDetail` that CompareFaces returns (`ComparedFace`). */
function comparedFace(detail: FaceDetail): ComparedFace {
  const { BoundingBox, Confidence, Landmarks, Pose, Quality, Emotions, Smile } = detail;
  return { BoundingBox, Confidence, Landmarks, Pose, Quality, Emotions, Smile };
}

function toWireFace(face: FaceMetadata): Face {
  const { width, height, left, top } = face.boundingBox;
  return {
    FaceId: face.faceId,
    BoundingBox: { Width: width, Height: height, Left: left, Top: top },
    ImageId: face.imageId,
    ...(face.externalImageId === undefined ? {} : { ExternalImageId: face.externalImageId }),
    Confidence: face.confidence,
    IndexFacesModelVersion: face.indexFacesModelVersion,
    ...(face.userId === undefined ? {} : { UserId: face.userId }),
  };
}
