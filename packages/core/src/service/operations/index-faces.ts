import type { AnalyzedFace } from '../../analysis/face-analyzer.js';
import {
  InvalidParameterException,
  ServiceQuotaExceededException,
} from '../../errors/exceptions.js';
import type {
  FaceRecord,
  IndexFacesRequest,
  UnindexedFace,
} from '../../model/wire-types.generated.js';
import type { FaceMetadata, StoredFace } from '../../storage/face-store.js';
import { matchByIou } from '../box-matching.js';
import { contentImageId, imageBytes } from '../image-input.js';
import { qualityReasons } from '../quality-filter.js';
import { analyzerFor } from '../service-context.js';
import { defineOperations } from './operation.js';
import { keepImage } from './source-images.js';
import { embeddingOf, fromWireBox, toWireFace } from './wire-mapping.js';

/** A stored face and a detection of the same image are the same face at this box IoU or above. */
const SAME_FACE_IOU = 0.5;

export const indexFacesOperations = defineOperations({
  /**
   * Detects the faces in `Image` (base64 `Bytes` or an `S3Object`) and stores the largest `MaxFaces` of them,
   * with `ExternalImageId`; faces filtered out (`QualityFilter`, `MaxFaces`) are reported in
   * `UnindexedFaces`. Needs an analyzer for the collection's face model.
   *
   * The same image with the same `ExternalImageId` again stores no face twice: the faces stored
   * before are returned in `FaceRecords` whatever this call's `QualityFilter`, and only the
   * other detected faces go through `QualityFilter` and `MaxFaces` (the stored ones count
   * towards it). Each detected face is in exactly one of the two lists.
   * @throws {ResourceNotFoundException} when there is no such collection.
   * @throws {InvalidImageFormatException} for anything but JPEG and PNG.
   * @throws {AccessDeniedException} when this service has no analyzer for the collection's model.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_IndexFaces.html
   */
  async indexFaces(context, input) {
    const { store, limits } = context;
    const { CollectionId, ExternalImageId } = input;
    const bytes = await imageBytes(context.imageObjects, input.Image);
    const collection = await store.describeCollection(CollectionId);
    const analyzer = analyzerFor(context, 'IndexFaces', collection);
    const [analysis, imageId] = await Promise.all([
      analyzer.analyze(bytes, {
        attributes: input.DetectionAttributes ?? ['DEFAULT'],
        embedLargest: limits.maxFacesPerImage,
      }),
      contentImageId(bytes),
    ]);
    const detected = analysis.faces;
    const maxFaces = Math.min(input.MaxFaces ?? Number.POSITIVE_INFINITY, limits.maxFacesPerImage);

    const { records, unindexed } = await context.collectionLocks.run(CollectionId, async () => {
      const current = await store.describeCollection(CollectionId);
      if (current.faceModelVersion !== collection.faceModelVersion) {
        throw new InvalidParameterException(
          `Collection ${CollectionId} changed while indexing; retry.`,
        );
      }
      // Same image, same collection, same ExternalImageId: Rekognition stores nothing twice.
      const stored = (await store.findFacesByImage(CollectionId, imageId)).filter(
        (f) => f.externalImageId === ExternalImageId,
      );
      const matches = matchByIou(
        stored.map((f) => f.boundingBox),
        detected.map((f) => fromWireBox(f.detail)),
        SAME_FACE_IOU,
      );
      const storedAs = new Map<AnalyzedFace, FaceMetadata>();
      matches.forEach((j, i) => {
        if (j !== undefined) storedAs.set(detected[j], stored[i]);
      });
      const { toIndex, unindexed } = selectFaces(
        detected.filter((face) => !storedAs.has(face)),
        input.QualityFilter ?? 'AUTO',
        Math.max(0, maxFaces - stored.length),
      );
      if (current.faceCount + toIndex.length > limits.maxFacesPerCollection) {
        throw new ServiceQuotaExceededException(
          `Collection ${CollectionId} holds ${current.faceCount} faces; the limit is ${limits.maxFacesPerCollection}.`,
        );
      }
      const now = context.now();
      const added = new Map(
        toIndex.map((face): [AnalyzedFace, StoredFace] => [
          face,
          {
            faceId: crypto.randomUUID(),
            imageId,
            ...(ExternalImageId === undefined ? {} : { externalImageId: ExternalImageId }),
            boundingBox: fromWireBox(face.detail),
            confidence: face.detail.Confidence ?? 0,
            indexFacesModelVersion: collection.faceModelVersion,
            createdAt: now,
            vector: embeddingOf(face),
          },
        ]),
      );
      if (added.size > 0) await store.putFaces(CollectionId, [...added.values()]);
      // Largest first, as detected; a stored face the analyzer no longer finds comes last.
      const records: FaceRecord[] = [];
      for (const face of detected) {
        const record = storedAs.get(face) ?? added.get(face);
        if (record) records.push({ Face: toWireFace(record), FaceDetail: face.detail });
      }
      stored.forEach((face, i) => {
        if (matches[i] === undefined) records.push({ Face: toWireFace(face) });
      });
      return { records, unindexed };
    });
    if (records.length > 0) await keepImage(context, imageId, bytes);
    return {
      FaceRecords: records,
      FaceModelVersion: collection.faceModelVersion,
      UnindexedFaces: unindexed,
    };
  },
});

/**
 * The faces to index: quality filter first, then `maxFaces`. Faces that clear the HIGH bar are
 * kept before the others, and within each group the largest (the analyzer's order) first.
 */
function selectFaces(
  faces: readonly AnalyzedFace[],
  filter: NonNullable<IndexFacesRequest['QualityFilter']>,
  maxFaces: number,
): { toIndex: AnalyzedFace[]; unindexed: UnindexedFace[] } {
  const unindexed: UnindexedFace[] = [];
  const candidates: AnalyzedFace[] = [];
  for (const face of faces) {
    const reasons = qualityReasons(face, filter);
    if (reasons.length > 0) unindexed.push({ Reasons: reasons, FaceDetail: face.detail });
    else candidates.push(face);
  }
  const belowHigh = (face: AnalyzedFace) => Number(qualityReasons(face, 'HIGH').length > 0);
  const ranked = [...candidates].sort((a, b) => belowHigh(a) - belowHigh(b));
  const kept = new Set(ranked.slice(0, maxFaces));
  for (const face of candidates) {
    if (!kept.has(face))
      unindexed.push({ Reasons: ['EXCEEDS_MAX_FACES'], FaceDetail: face.detail });
  }
  return { toIndex: candidates.filter((face) => kept.has(face)), unindexed };
}
