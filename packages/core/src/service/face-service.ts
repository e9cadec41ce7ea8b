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
  UntagResourceRequest,
  UntagResourceResponse,
  UserStatus,
} from '../model/wire-types.generated.js';
import type { FaceMetadata, FaceStore, UserRecord } from '../storage/face-store.js';
import { validateRequest } from '../validation/validate-shape.js';
import { dot } from '../vector/vector-math.js';
import { type ArnScope, collectionArn, collectionIdFromArn } from './collection-arn.js';
import { IdempotencyCache } from './idempotency-cache.js';
import { KeyedMutex } from './keyed-mutex.js';
import { decodePaginationToken, encodePaginationToken } from './pagination-token.js';
import { linearSimilarityScale, type SimilarityScale } from './similarity-scale.js';

/** Limits and defaults the Rekognition model leaves to the service. */
export interface FaceServiceLimits {
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

export const defaultFaceServiceLimits: FaceServiceLimits = {
  maxFacesPerUser: 100,
  maxTagsPerResource: 50,
  defaultPageSize: 1000,
  defaultUserPageSize: 500,
  defaultMaxFaces: 4096,
  defaultMaxUsers: 500,
  idempotencyTtlMs: 24 * 60 * 60 * 1000,
  idempotencyMaxEntries: 10_000,
};

export interface FaceServiceOptions {
  store: FaceStore;
  /** Region inside ARNs. Default `us-east-1`. */
  region?: string;
  /** 12-digit account id inside ARNs. Default `000000000000`. */
  accountId?: string;
  /** Reported as `FaceModelVersion` for new collections. Default `7.0`. */
  faceModelVersion?: string;
  /** Cosine ↔ percentage calibration of the face model. */
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
  readonly #now: () => number;
  readonly #collectionLocks = new KeyedMutex();
  readonly #idempotency: IdempotencyCache;

  constructor(options: FaceServiceOptions) {
    this.store = options.store;
    this.faceModelVersion = options.faceModelVersion ?? '7.0';
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
    IndexFaces: (i) => this.#needsAnalyzer('IndexFaces', i.CollectionId),
    ListFaces: (i) => this.#listFaces(i),
    DeleteFaces: (i) => this.#deleteFaces(i),
    SearchFaces: (i) => this.#searchFaces(i),
    SearchFacesByImage: (i) => this.#needsAnalyzer('SearchFacesByImage', i.CollectionId),
    DetectFaces: () => this.#needsAnalyzer('DetectFaces'),
    CompareFaces: () => this.#needsAnalyzer('CompareFaces'),
    CreateUser: (i) => this.#createUser(i),
    DeleteUser: (i) => this.#deleteUser(i),
    ListUsers: (i) => this.#listUsers(i),
    AssociateFaces: (i) => this.#associateFaces(i),
    DisassociateFaces: (i) => this.#disassociateFaces(i),
    SearchUsers: (i) => this.#searchUsers(i),
    SearchUsersByImage: (i) => this.#needsAnalyzer('SearchUsersByImage', i.CollectionId),
    TagResource: (i) => this.#tagResource(i),
    UntagResource: (i) => this.#untagResource(i),
    ListTagsForResource: (i) => this.#listTagsForResource(i),
  };

  createCollection(input: CreateCollectionRequest): Promise<CreateCollectionResponse> {
    return this.execute('CreateCollection', input);
  }
  deleteCollection(input: DeleteCollectionRequest): Promise<DeleteCollectionResponse> {
    return this.execute('DeleteCollection', input);
  }
  describeCollection(input: DescribeCollectionRequest): Promise<DescribeCollectionResponse> {
    return this.execute('DescribeCollection', input);
  }
  listCollections(input: ListCollectionsRequest = {}): Promise<ListCollectionsResponse> {
    return this.execute('ListCollections', input);
  }
  indexFaces(input: IndexFacesRequest): Promise<IndexFacesResponse> {
    return this.execute('IndexFaces', input);
  }
  listFaces(input: ListFacesRequest): Promise<ListFacesResponse> {
    return this.execute('ListFaces', input);
  }
  deleteFaces(input: DeleteFacesRequest): Promise<DeleteFacesResponse> {
    return this.execute('DeleteFaces', input);
  }
  searchFaces(input: SearchFacesRequest): Promise<SearchFacesResponse> {
    return this.execute('SearchFaces', input);
  }
  searchFacesByImage(input: SearchFacesByImageRequest): Promise<SearchFacesByImageResponse> {
    return this.execute('SearchFacesByImage', input);
  }
  detectFaces(input: DetectFacesRequest): Promise<DetectFacesResponse> {
    return this.execute('DetectFaces', input);
  }
  compareFaces(input: CompareFacesRequest): Promise<CompareFacesResponse> {
    return this.execute('CompareFaces', input);
  }
  createUser(input: CreateUserRequest): Promise<CreateUserResponse> {
    return this.execute('CreateUser', input);
  }
  deleteUser(input: DeleteUserRequest): Promise<DeleteUserResponse> {
    return this.execute('DeleteUser', input);
  }
  listUsers(input: ListUsersRequest): Promise<ListUsersResponse> {
    return this.execute('ListUsers', input);
  }
  associateFaces(input: AssociateFacesRequest): Promise<AssociateFacesResponse> {
    return this.execute('AssociateFaces', input);
  }
  disassociateFaces(input: DisassociateFacesRequest): Promise<DisassociateFacesResponse> {
    return this.execute('DisassociateFaces', input);
  }
  searchUsers(input: SearchUsersRequest): Promise<SearchUsersResponse> {
    return this.execute('SearchUsers', input);
  }
  searchUsersByImage(input: SearchUsersByImageRequest): Promise<SearchUsersByImageResponse> {
    return this.execute('SearchUsersByImage', input);
  }
  tagResource(input: TagResourceRequest): Promise<TagResourceResponse> {
    return this.execute('TagResource', input);
  }
  untagResource(input: UntagResourceRequest): Promise<UntagResourceResponse> {
    return this.execute('UntagResource', input);
  }
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
    const threshold = input.FaceMatchThreshold ?? 80;
    const matches = await this.store.searchFaces(CollectionId, face.vector, {
      limit: input.MaxFaces ?? this.limits.defaultMaxFaces,
      minScore: this.#minScore(threshold),
      excludeFaceIds: [FaceId],
    });
    return {
      SearchedFaceId: FaceId,
      FaceMatches: matches
        .map((m) => ({ Similarity: this.#similarity.toPercent(m.score), Face: toWireFace(m.face) }))
        .filter((m) => m.Similarity >= threshold),
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
            const similarity = this.#similarity.toPercent(dot(face.vector, userVector));
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
    const threshold = input.UserMatchThreshold ?? 80;
    const matches = vector
      ? await this.store.searchUsers(CollectionId, vector, {
          limit: input.MaxUsers ?? this.limits.defaultMaxUsers,
          minScore: this.#minScore(threshold),
          excludeUserIds: UserId === undefined ? [] : [UserId],
        })
      : [];
    return {
      UserMatches: matches
        .map((m) => ({
          Similarity: this.#similarity.toPercent(m.score),
          User: { UserId: m.user.userId, UserStatus: userStatus(m.user) },
        }))
        .filter((m) => m.Similarity >= threshold),
      FaceModelVersion: collection.faceModelVersion,
      ...(UserId !== undefined ? { SearchedUser: { UserId } } : { SearchedFace: { FaceId } }),
    };
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

  async #needsAnalyzer(operation: OperationName, collectionId?: string): Promise<never> {
    if (collectionId !== undefined) await this.store.describeCollection(collectionId);
    throw new AccessDeniedException(
      `${operation} needs a face analyzer (detector and embedder), and this server was started without one.`,
    );
  }

  /** The store-side cut-off for a percentage threshold; none at 0, where every match qualifies. */
  #minScore(thresholdPercent: number): number | undefined {
    return thresholdPercent > 0 ? this.#similarity.toCosine(thresholdPercent) : undefined;
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
