import type { FaceAnalyzer } from '../analysis/face-analyzer.js';
import { linearSimilarityScale, type SimilarityScale } from '../analysis/similarity-scale.js';
import {
  AccessDeniedException,
  InvalidParameterException,
  ServiceQuotaExceededException,
} from '../errors/exceptions.js';
import type { CollectionStats, FaceStore } from '../storage/face-store.js';
import type { SourceImageStore } from '../storage/source-image-store.js';
import type { VideoDecoder } from '../video/video-decoder.js';
import { VideoJobRunner } from '../video/video-job-runner.js';
import { createMemoryVideoJobStore, type VideoJobStore } from '../video/video-job-store.js';
import type { ArnScope } from './collection-arn.js';
import { IdempotencyCache } from './idempotency-cache.js';
import type { ImageObjectSource } from './image-object-source.js';
import { KeyedMutex } from './keyed-mutex.js';
import { decodePaginationToken, encodePaginationToken } from './pagination-token.js';
import { defaultFaceServiceLimits, type FaceServiceLimits } from './service-limits.js';

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
  /**
   * Similarity calibration by face model version, for collections whose model has no analyzer
   * here: searching stored faces needs no network (`faceModelSimilarityScales()` of
   * `@facekit/core/analyzer` gives facekit's own face models').
   */
  similarityScales?: Readonly<Record<string, SimilarityScale>>;
  /** Similarity calibration for collections whose model has neither. Default: linear. */
  similarity?: SimilarityScale;
  limits?: Partial<FaceServiceLimits>;
  /**
   * Where IndexFaces source images are kept (once per `ImageId`), so collections can be
   * re-indexed with another face model. A kept image is removed when no face of it remains in
   * any collection of this service's store, also while keeping is off. Absent (the default, as
   * Rekognition): no image is kept.
   */
  sourceImages?: SourceImageStore;
  /**
   * Whether IndexFaces keeps new images in `sourceImages`; default true. False still removes
   * images kept earlier with their last face.
   */
  keepSourceImages?: boolean;
  /**
   * Where `Image.S3Object` is read from (`@facekit/image-source-s3`). Absent: every `S3Object`
   * is refused with `InvalidS3ObjectException`, saying how to configure one.
   */
  imageObjects?: ImageObjectSource;
  /**
   * Decodes the videos of StartFaceDetection/StartFaceSearch (`@facekit/video-ffmpeg`), read
   * from `imageObjects`. Absent: every video Start… is refused, saying so.
   */
  videoDecoder?: VideoDecoder;
  /**
   * Where video jobs and their results are kept. Default: in memory, lost on restart
   * (`@facekit/video-ffmpeg`'s file store keeps them in a folder).
   */
  videoJobStore?: VideoJobStore;
  /**
   * Per-collection locks to share with other writers of the same store in this process
   * (`reindexCollection`, `importCollection`...). Default: the service's own.
   */
  collectionLocks?: KeyedMutex;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
}

/**
 * Everything an operation handler runs on: one per {@link FaceService}, shared by all its
 * operations (see `operations/`).
 */
export interface ServiceContext {
  readonly store: FaceStore;
  /** Where source images are kept, when retention is on. */
  readonly sourceImages: SourceImageStore | undefined;
  /** Whether IndexFaces keeps new images (a store can be given only to release old ones). */
  readonly keepSourceImages: boolean;
  /** Where `Image.S3Object` is read from, if anywhere. */
  readonly imageObjects: ImageObjectSource | undefined;
  /** `FaceModelVersion` of new collections. */
  readonly faceModelVersion: string;
  readonly limits: FaceServiceLimits;
  readonly scope: ArnScope;
  /** One analyzer per face model version. */
  readonly analyzers: ReadonlyMap<string, FaceAnalyzer>;
  /** Calibration by face model version, for collections whose model has no analyzer here. */
  readonly similarityScales: ReadonlyMap<string, SimilarityScale>;
  /** Calibration of collections whose model has neither. */
  readonly fallbackSimilarity: SimilarityScale;
  readonly now: () => number;
  /** Serialises read-then-write operations on one collection. */
  readonly collectionLocks: KeyedMutex;
  /** Serialises keeping an image with deciding to remove it (see `releaseImages`). */
  readonly imageLocks: KeyedMutex;
  readonly idempotency: IdempotencyCache;
  /** The stored-video jobs (StartFaceDetection, StartFaceSearch). */
  readonly videoJobs: VideoJobRunner;
}

export function createServiceContext(options: FaceServiceOptions): ServiceContext {
  const analyzers = options.analyzers ?? [];
  const limits = { ...defaultFaceServiceLimits, ...options.limits };
  const now = options.now ?? (() => Date.now());
  return {
    store: options.store,
    sourceImages: options.sourceImages,
    keepSourceImages: options.sourceImages !== undefined && options.keepSourceImages !== false,
    imageObjects: options.imageObjects,
    faceModelVersion: options.faceModelVersion ?? analyzers[0]?.faceModelVersion ?? '7.0',
    limits,
    scope: {
      region: options.region ?? 'us-east-1',
      accountId: options.accountId ?? '000000000000',
    },
    analyzers: new Map(analyzers.map((a) => [a.faceModelVersion, a])),
    similarityScales: new Map(Object.entries(options.similarityScales ?? {})),
    fallbackSimilarity: options.similarity ?? linearSimilarityScale,
    now,
    collectionLocks: options.collectionLocks ?? new KeyedMutex(),
    imageLocks: new KeyedMutex(),
    idempotency: new IdempotencyCache({
      ttlMs: limits.idempotencyTtlMs,
      maxEntries: limits.idempotencyMaxEntries,
      now,
    }),
    videoJobs: new VideoJobRunner({
      store: options.videoJobStore ?? createMemoryVideoJobStore(),
      decoder: options.videoDecoder,
      objects: options.imageObjects,
      limits,
      now,
    }),
  };
}

/** The analyzer for new collections and collection-less operations (DetectFaces, CompareFaces). */
export function defaultAnalyzer(context: ServiceContext, operation: string): FaceAnalyzer {
  const analyzer = context.analyzers.get(context.faceModelVersion);
  if (!analyzer) {
    throw new AccessDeniedException(
      `${operation} needs a face analyzer (detector and embedder), and this server was started without one.`,
    );
  }
  return analyzer;
}

/** The analyzer of a collection's own face model: vectors of two models never meet. */
export function analyzerFor(
  context: ServiceContext,
  operation: string,
  collection: CollectionStats,
): FaceAnalyzer {
  const analyzer = context.analyzers.get(collection.faceModelVersion);
  if (analyzer) return analyzer;
  if (context.analyzers.size === 0) return defaultAnalyzer(context, operation);
  throw new InvalidParameterException(
    `Collection ${collection.collectionId} uses face model version ${collection.faceModelVersion}, which this server does not run (it runs ${[...context.analyzers.keys()].join(', ')}).`,
  );
}

export function similarityFor(
  context: ServiceContext,
  collection: Pick<CollectionStats, 'faceModelVersion'>,
): SimilarityScale {
  const version = collection.faceModelVersion;
  return (
    context.analyzers.get(version)?.similarity ??
    context.similarityScales.get(version) ??
    context.fallbackSimilarity
  );
}

export function checkTagCount(context: ServiceContext, count: number): void {
  if (count > context.limits.maxTagsPerResource) {
    throw new ServiceQuotaExceededException(
      `Too many tags: ${count}; a resource holds at most ${context.limits.maxTagsPerResource}.`,
    );
  }
}

/** The store cursor inside a `NextToken` issued for `context` (operation and its filters). */
export function pageCursor(context: string, token: string | undefined): string | undefined {
  return token ? decodePaginationToken(context, token) : undefined;
}

export function nextToken(context: string, cursor: string | undefined): { NextToken?: string } {
  return cursor === undefined ? {} : { NextToken: encodePaginationToken(context, cursor) };
}
