import { InvalidParameterException } from '../../errors/exceptions.js';
import type { ComparedFace, CompareFacesResponse } from '../../model/wire-types.generated.js';
import { dot } from '../../vector/vector-math.js';
import { imageBytes } from '../image-input.js';
import { qualityReasons } from '../quality-filter.js';
import { analyzerFor, defaultAnalyzer } from '../service-context.js';
import {
  collectionThreshold,
  faceMatches,
  largestFace,
  matchThreshold,
  userMatches,
} from './matching.js';
import { defineOperations } from './operation.js';
import { comparedFace, embeddingOf } from './wire-mapping.js';

/** The operations that analyse an image without storing it (IndexFaces: `index-faces.ts`). */
export const imageOperations = defineOperations({
  /**
   * Finds the faces in `Image` (at most 100, largest first) with boxes, landmarks, pose and
   * quality; `Attributes: ['ALL']` adds what the analyzer can compute (age, gender, emotions...).
   * @throws {InvalidImageFormatException} for anything but JPEG and PNG.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DetectFaces.html
   */
  async detectFaces(context, input) {
    const analysis = await defaultAnalyzer(context, 'DetectFaces').analyze(
      await imageBytes(context.imageObjects, input.Image),
      { attributes: input.Attributes ?? ['DEFAULT'], embedLargest: 0 },
    );
    return { FaceDetails: analysis.faces.map((f) => f.detail) };
  },

  /**
   * Compares the largest face of `SourceImage` with every face of `TargetImage`:
   * `FaceMatches` at or above `SimilarityThreshold` (default 80), the rest `UnmatchedFaces`.
   * @throws {InvalidParameterException} when the source image has no face.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_CompareFaces.html
   */
  async compareFaces(context, input, options) {
    const analyzer = defaultAnalyzer(context, 'CompareFaces');
    const threshold = matchThreshold(
      input.SimilarityThreshold,
      'SimilarityThreshold',
      options,
      analyzer.faceModelVersion,
      analyzer.similarity,
    );
    const [source, target] = await Promise.all([
      imageBytes(context.imageObjects, input.SourceImage, 'SourceImage'),
      imageBytes(context.imageObjects, input.TargetImage, 'TargetImage'),
    ]);
    const filter = input.QualityFilter ?? 'NONE';
    const [{ searched }, targetAnalysis] = await Promise.all([
      largestFace(context, analyzer, source, filter),
      analyzer.analyze(target, {
        attributes: ['DEFAULT'],
        embedLargest: context.limits.maxFacesPerImage,
      }),
    ]);
    const targets = targetAnalysis.faces.filter((f) => qualityReasons(f, filter).length === 0);
    if (!searched) throw new InvalidParameterException('There are no faces in the source image.');
    if (targets.length === 0)
      throw new InvalidParameterException('There are no faces in the target image.');
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
  },

  /**
   * Faces of the collection most similar to the largest face in `Image`, best first, with
   * that face's box and confidence.
   * @throws {InvalidParameterException} when the image has no face.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_SearchFacesByImage.html
   */
  async searchFacesByImage(context, input, options) {
    const collection = await context.store.describeCollection(input.CollectionId);
    // Before the image is analysed: a bad rate should not cost an inference.
    const threshold = collectionThreshold(context, collection, input.FaceMatchThreshold, options);
    const analyzer = analyzerFor(context, 'SearchFacesByImage', collection);
    const { searched } = await largestFace(
      context,
      analyzer,
      await imageBytes(context.imageObjects, input.Image),
      input.QualityFilter,
    );
    if (!searched) {
      throw new InvalidParameterException('There are no faces in the image. Should be at least 1.');
    }
    return {
      SearchedFaceBoundingBox: searched.detail.BoundingBox,
      SearchedFaceConfidence: searched.detail.Confidence,
      FaceMatches: await faceMatches(context, collection, embeddingOf(searched), {
        threshold,
        maxFaces: input.MaxFaces,
      }),
      FaceModelVersion: collection.faceModelVersion,
    };
  },

  /**
   * Users whose faces are most similar to the largest face in `Image`, best first.
   * @throws {InvalidParameterException} when the image has no face.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_SearchUsersByImage.html
   */
  async searchUsersByImage(context, input) {
    const collection = await context.store.describeCollection(input.CollectionId);
    const analyzer = analyzerFor(context, 'SearchUsersByImage', collection);
    const { searched, unsearched } = await largestFace(
      context,
      analyzer,
      await imageBytes(context.imageObjects, input.Image),
      input.QualityFilter,
    );
    // Unlike SearchFacesByImage, no usable face is not an error: just no matches.
    return {
      UserMatches: searched
        ? await userMatches(context, collection, embeddingOf(searched), {
            threshold: input.UserMatchThreshold ?? 80,
            maxUsers: input.MaxUsers,
          })
        : [],
      FaceModelVersion: collection.faceModelVersion,
      ...(searched ? { SearchedFace: { FaceDetail: searched.detail } } : {}),
      UnsearchedFaces: unsearched,
    };
  },
});
