import type { AnalyzedFace } from '../../analysis/face-analyzer.js';
import { falseAcceptRateAt } from '../../analysis/false-accept-rate.js';
import { InvalidParameterException } from '../../errors/exceptions.js';
import type {
  ExplainedFace,
  ExplainMatchRequest,
  ExplainMatchResponse,
} from '../../model/identification-model.js';
import type { Attribute } from '../../model/wire-types.generated.js';
import type { CollectionStats, StoredFace } from '../../storage/face-store.js';
import { dot } from '../../vector/vector-math.js';
import { matchByIou } from '../box-matching.js';
import { faceQuality } from '../face-quality.js';
import { imageBytes } from '../image-input.js';
import type { RequestOptions } from '../request-options.js';
import { analyzerFor, type ServiceContext, similarityFor } from '../service-context.js';
import { collectionThreshold } from './matching.js';
import { candidateKey, personCandidates, personKey } from './person-candidates.js';
import { fromWireBox, toWireFace } from './wire-mapping.js';

/** What is measured of each face: DEFAULT (box, pose, quality) and the landmark-based occlusion. */
const measured: Attribute[] = ['DEFAULT', 'FACE_OCCLUDED'];

/** Both faces at least this good: neither is what weakens the match. */
const GOOD_ENOUGH = 0.8;

/**
 * Explains a match between a face of the collection and another face (`TargetFaceId`, or the
 * largest face of `TargetImage`): their Similarity and its false accept rate, how good a picture
 * each face is (size, pose, sharpness, brightness, occlusion) and which one limits the match,
 * and the margin to the best other person of the collection for the target face.
 * @throws {ResourceNotFoundException} when the collection does not exist.
 * @throws {InvalidParameterException} when a face is not in the collection, the image has no
 *   face, or not exactly one of `TargetFaceId` and `TargetImage` is given.
 */
export async function explainMatch(
  context: ServiceContext,
  input: ExplainMatchRequest,
  options: RequestOptions,
): Promise<ExplainMatchResponse> {
  const { CollectionId, FaceId, TargetFaceId, TargetImage } = input;
  if ((TargetFaceId === undefined) === (TargetImage === undefined)) {
    throw new InvalidParameterException('Give exactly one of TargetFaceId and TargetImage.');
  }
  const collection = await context.store.describeCollection(CollectionId);
  const threshold = collectionThreshold(context, collection, input.FaceMatchThreshold, options);
  const scale = similarityFor(context, collection);
  const stored = await context.store.getFaces(CollectionId, [
    FaceId,
    ...(TargetFaceId === undefined ? [] : [TargetFaceId]),
  ]);
  const storedFace = (id: string) => {
    const face = stored.find((f) => f.faceId === id);
    if (!face) {
      throw new InvalidParameterException(
        `faceId ${id} was not found in the collection ${CollectionId}`,
      );
    }
    return face;
  };
  const face = storedFace(FaceId);

  let targetVector: Float32Array;
  let target: ExplainedFace;
  if (TargetFaceId !== undefined) {
    const targetFace = storedFace(TargetFaceId);
    targetVector = targetFace.vector;
    target = await explainStoredFace(context, collection, targetFace);
  } else {
    const analyzer = analyzerFor(context, 'ExplainMatch', collection);
    const analysis = await analyzer.analyze(
      await imageBytes(context.imageObjects, TargetImage as NonNullable<typeof TargetImage>),
      { attributes: measured, embedLargest: 1 },
    );
    const largest = analysis.faces[0];
    if (!largest?.embedding) {
      throw new InvalidParameterException('There are no faces in the target image.');
    }
    targetVector = largest.embedding;
    target = explainAnalyzedFace(largest, 'TARGET_IMAGE');
  }
  const first = await explainStoredFace(context, collection, face);

  const Similarity = scale.toPercent(dot(face.vector, targetVector));
  const FalseAcceptRate = falseAcceptRateAt(scale.falseAcceptRates, Similarity);
  const others = await personCandidates(context, collection, targetVector, {
    limit: 3,
    excludeFaceIds: TargetFaceId === undefined ? [] : [TargetFaceId],
  });
  const NextBest = others.find((c) => candidateKey(c) !== personKey(face));
  return {
    Similarity,
    ...(FalseAcceptRate ? { FalseAcceptRate } : {}),
    FaceMatchThreshold: threshold,
    Matched: Similarity >= threshold,
    Faces: [first, target],
    WeakerFace: weakerFace(first, target),
    ...(NextBest ? { NextBest, Margin: round(Similarity - NextBest.Similarity) } : {}),
  };
}

function weakerFace(a: ExplainedFace, b: ExplainedFace): ExplainMatchResponse['WeakerFace'] {
  if (a.QualityScore === undefined && b.QualityScore === undefined) return 'UNKNOWN';
  if (a.QualityScore === undefined)
    return (b.QualityScore ?? 0) < GOOD_ENOUGH ? 'TARGET' : 'UNKNOWN';
  if (b.QualityScore === undefined) return a.QualityScore < GOOD_ENOUGH ? 'FACE' : 'UNKNOWN';
  if (a.QualityScore >= GOOD_ENOUGH && b.QualityScore >= GOOD_ENOUGH) return 'NEITHER';
  return a.QualityScore <= b.QualityScore ? 'FACE' : 'TARGET';
}

/**
 * A stored face measured on its kept source image (found again by its box), or only what the
 * collection stores when the image was not kept.
 */
async function explainStoredFace(
  context: ServiceContext,
  collection: CollectionStats,
  face: StoredFace,
): Promise<ExplainedFace> {
  const wire = toWireFace(face);
  const identity = {
    FaceId: face.faceId,
    ...(face.userId === undefined ? {} : { UserId: face.userId }),
    ...(face.externalImageId === undefined ? {} : { ExternalImageId: face.externalImageId }),
  };
  const bytes = await context.sourceImages?.get(face.imageId);
  if (bytes) {
    const analysis = await analyzerFor(context, 'ExplainMatch', collection).analyze(bytes, {
      attributes: measured,
      embedLargest: 0,
    });
    const [index] = matchByIou(
      [face.boundingBox],
      analysis.faces.map((f) => fromWireBox(f.detail)),
      0.5,
    );
    if (index !== undefined) {
      return { ...identity, ...explainAnalyzedFace(analysis.faces[index], 'SOURCE_IMAGE') };
    }
  }
  return {
    ...identity,
    BoundingBox: wire.BoundingBox,
    MeasuredFrom: 'STORED_FACE',
    Confidence: face.confidence,
    Issues: [],
  };
}

function explainAnalyzedFace(
  face: AnalyzedFace,
  from: ExplainedFace['MeasuredFrom'],
): ExplainedFace {
  const { BoundingBox, Confidence, Pose, Quality, FaceOccluded } = face.detail;
  return {
    BoundingBox,
    MeasuredFrom: from,
    ...(Confidence === undefined ? {} : { Confidence }),
    HeightPixels: Math.round(face.heightPx),
    ...(Pose ? { Pose } : {}),
    ...(Quality?.Sharpness === undefined ? {} : { Sharpness: Quality.Sharpness }),
    ...(Quality?.Brightness === undefined ? {} : { Brightness: Quality.Brightness }),
    ...(FaceOccluded?.Value === undefined ? {} : { Occluded: FaceOccluded.Value }),
    ...faceQuality(face),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;
