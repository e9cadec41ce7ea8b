import { falseAcceptRateAt } from '../../analysis/false-accept-rate.js';
import type { PersonCandidate } from '../../model/identification-model.js';
import type { CollectionStats } from '../../storage/face-store.js';
import { type ServiceContext, similarityFor } from '../service-context.js';

/**
 * The people of a collection closest to a face vector, best first: one entry per user (its best
 * face) and per face that belongs to no user. Similarities are face-to-face, the pairs the face
 * model's false accept rates were measured on (a user's mean vector, which SearchUsers compares
 * with, is not), so each candidate carries the rate at its Similarity.
 * @param options.scan how many nearest faces to read before grouping them into people.
 */
export async function personCandidates(
  context: ServiceContext,
  collection: CollectionStats,
  vector: Float32Array,
  options: { limit: number; scan?: number; excludeFaceIds?: readonly string[] },
): Promise<PersonCandidate[]> {
  const scale = similarityFor(context, collection);
  const matches = await context.store.searchFaces(collection.collectionId, vector, {
    limit: options.scan ?? Math.max(50, options.limit * 10),
    excludeFaceIds: options.excludeFaceIds,
  });
  const people: PersonCandidate[] = [];
  const seen = new Set<string>();
  for (const { face, score } of matches) {
    const person = personKey(face);
    if (seen.has(person)) continue;
    seen.add(person);
    const Similarity = scale.toPercent(score);
    const FalseAcceptRate = falseAcceptRateAt(scale.falseAcceptRates, Similarity);
    people.push({
      ...(face.userId === undefined ? {} : { UserId: face.userId }),
      FaceId: face.faceId,
      ...(face.externalImageId === undefined ? {} : { ExternalImageId: face.externalImageId }),
      Similarity,
      ...(FalseAcceptRate ? { FalseAcceptRate } : {}),
    });
    if (people.length >= options.limit) break;
  }
  return people;
}

/** A user, or a face of no user: who a face of the collection stands for. */
export function personKey(face: { userId?: string; faceId: string }): string {
  return face.userId === undefined ? `face:${face.faceId}` : `user:${face.userId}`;
}

export function candidateKey(candidate: PersonCandidate): string {
  return personKey({ userId: candidate.UserId, faceId: candidate.FaceId });
}
