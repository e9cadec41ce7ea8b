import type {
  IdentifiedFace,
  PersonCandidate,
  WhoIsInImageRequest,
  WhoIsInImageResponse,
} from '../../model/identification-model.js';
import { imageBytes } from '../image-input.js';
import { qualityReasons } from '../quality-filter.js';
import type { RequestOptions } from '../request-options.js';
import { analyzerFor, type ServiceContext } from '../service-context.js';
import { collectionThreshold } from './matching.js';
import { candidateKey, personCandidates } from './person-candidates.js';
import { embeddingOf } from './wire-mapping.js';

/** How many people are kept per face while deciding, so a face can fall back to its second. */
const CANDIDATES_CONSIDERED = 5;

/**
 * Who is in this photo: every face of `Image` (largest first; SearchFacesByImage searches only
 * the largest) identified against the collection. A face is its best person (a user, or a face
 * of no user) when their Similarity reaches `FaceMatchThreshold` (default 80, or the threshold
 * of `x-facekit-max-false-accept-rate`), else `UNKNOWN`. One person is given to at most one face
 * of the image, highest Similarity first: a second face that looks like someone already found
 * gets its next candidate above the threshold, or `UNKNOWN`.
 * @throws {ResourceNotFoundException} when the collection does not exist.
 * @throws {InvalidParameterException} for a bad image or a threshold given twice.
 */
export async function whoIsInImage(
  context: ServiceContext,
  input: WhoIsInImageRequest,
  options: RequestOptions,
): Promise<WhoIsInImageResponse> {
  const collection = await context.store.describeCollection(input.CollectionId);
  const threshold = collectionThreshold(context, collection, input.FaceMatchThreshold, options);
  const analyzer = analyzerFor(context, 'WhoIsInImage', collection);
  const maxFaces = Math.min(input.MaxFaces ?? 100, context.limits.maxFacesPerImage);
  const maxCandidates = input.MaxCandidates ?? 3;
  const filter = input.QualityFilter ?? 'NONE';
  const analysis = await analyzer.analyze(await imageBytes(context.imageObjects, input.Image), {
    attributes: ['DEFAULT'],
    embedLargest: maxFaces,
  });
  const faces = analysis.faces.slice(0, maxFaces);

  const candidates: (PersonCandidate[] | undefined)[] = [];
  for (const face of faces) {
    candidates.push(
      qualityReasons(face, filter).length > 0
        ? undefined
        : await personCandidates(context, collection, embeddingOf(face), {
            limit: Math.max(maxCandidates, CANDIDATES_CONSIDERED),
          }),
    );
  }

  // Highest Similarity first, each face and each person at most once.
  const pairs = candidates.flatMap((list, face) =>
    (list ?? []).filter((c) => c.Similarity >= threshold).map((candidate) => ({ face, candidate })),
  );
  pairs.sort((a, b) => b.candidate.Similarity - a.candidate.Similarity);
  const identity = new Map<number, PersonCandidate>();
  const taken = new Set<string>();
  for (const { face, candidate } of pairs) {
    const person = candidateKey(candidate);
    if (identity.has(face) || taken.has(person)) continue;
    identity.set(face, candidate);
    taken.add(person);
  }

  return {
    Faces: faces.map((face, i): IdentifiedFace => {
      const list = candidates[i];
      if (!list) {
        return {
          FaceDetail: face.detail,
          Identity: 'UNSEARCHED',
          Candidates: [],
          Reasons: qualityReasons(face, filter),
        };
      }
      const found = identity.get(i);
      return {
        FaceDetail: face.detail,
        Identity: found ? (found.UserId === undefined ? 'FACE' : 'USER') : 'UNKNOWN',
        ...(found ? found : {}),
        Candidates: list.slice(0, maxCandidates),
      };
    }),
    FaceMatchThreshold: threshold,
    FaceModelVersion: collection.faceModelVersion,
  };
}
