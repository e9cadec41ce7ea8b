import type { AnalyzedFace, FaceAnalyzer } from '../../analysis/face-analyzer.js';
import { similarityForFalseAcceptRate } from '../../analysis/false-accept-rate.js';
import type { SimilarityScale } from '../../analysis/similarity-scale.js';
import { InvalidParameterException } from '../../errors/exceptions.js';
import type {
  IndexFacesRequest,
  SearchFacesResponse,
  SearchUsersResponse,
  UnsearchedFace,
} from '../../model/wire-types.generated.js';
import type { CollectionStats } from '../../storage/face-store.js';
import { qualityReasons } from '../quality-filter.js';
import type { RequestOptions } from '../request-options.js';
import { type ServiceContext, similarityFor } from '../service-context.js';
import { toWireFace, userStatus } from './wire-mapping.js';

/** What the search operations share: thresholds, vector searches, the face searched with. */

/**
 * The `Similarity` threshold of a match: the one given, or the one where the face model measured
 * the requested false accept rate, or Rekognition's default 80.
 * @throws {InvalidParameterException} when both are given, or the rate is out of the measured range.
 */
export function matchThreshold(
  given: number | undefined,
  member: string,
  options: RequestOptions,
  faceModelVersion: string,
  scale: SimilarityScale,
): number {
  const rate = options.maxFalseAcceptRate;
  if (rate === undefined) return given ?? 80;
  if (given !== undefined) {
    throw new InvalidParameterException(
      `Give either ${member} or a maximum false accept rate (x-facekit-max-false-accept-rate), not both.`,
    );
  }
  return similarityForFalseAcceptRate(scale.falseAcceptRates, rate, faceModelVersion);
}

/** `FaceMatchThreshold`, or the threshold of the requested false accept rate. */
export function collectionThreshold(
  context: ServiceContext,
  collection: CollectionStats,
  given: number | undefined,
  options: RequestOptions,
): number {
  return matchThreshold(
    given,
    'FaceMatchThreshold',
    options,
    collection.faceModelVersion,
    similarityFor(context, collection),
  );
}

/** Faces of `collection` matching `vector` at or above `threshold` percent, best first. */
export async function faceMatches(
  context: ServiceContext,
  collection: CollectionStats,
  vector: Float32Array,
  options: { threshold: number; maxFaces?: number; excludeFaceIds?: readonly string[] },
): Promise<NonNullable<SearchFacesResponse['FaceMatches']>> {
  const scale = similarityFor(context, collection);
  const matches = await context.store.searchFaces(collection.collectionId, vector, {
    limit: options.maxFaces ?? context.limits.defaultMaxFaces,
    // No store-side cut-off at 0, where every match qualifies (even a negative cosine).
    minScore: options.threshold > 0 ? scale.toCosine(options.threshold) : undefined,
    excludeFaceIds: options.excludeFaceIds,
  });
  return matches
    .map((m) => ({ Similarity: scale.toPercent(m.score), Face: toWireFace(m.face) }))
    .filter((m) => m.Similarity >= options.threshold);
}

/** Users of `collection` matching `vector` at or above `threshold` percent, best first. */
export async function userMatches(
  context: ServiceContext,
  collection: CollectionStats,
  vector: Float32Array,
  options: { threshold: number; maxUsers?: number; excludeUserIds?: readonly string[] },
): Promise<NonNullable<SearchUsersResponse['UserMatches']>> {
  const scale = similarityFor(context, collection);
  const matches = await context.store.searchUsers(collection.collectionId, vector, {
    limit: options.maxUsers ?? context.limits.defaultMaxUsers,
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

/**
 * The largest face that clears `filter` (the one Rekognition searches with), embedded, and
 * every other face with the reason it was not used.
 */
export async function largestFace(
  context: ServiceContext,
  analyzer: FaceAnalyzer,
  bytes: Uint8Array,
  filter: IndexFacesRequest['QualityFilter'] = 'NONE',
): Promise<{ searched?: AnalyzedFace; unsearched: UnsearchedFace[] }> {
  const analysis = await analyzer.analyze(bytes, {
    attributes: ['DEFAULT'],
    // With a filter the largest usable face may not be the largest face.
    embedLargest: filter === 'NONE' ? 1 : context.limits.maxFacesPerImage,
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
