import { similarityFor } from '../service-context.js';
import { defineExtensionOperations } from './operation.js';

export const calibrationOperations = defineExtensionOperations({
  /**
   * The false accept rates a collection's face model was measured at (or the default model's,
   * without `CollectionId`): what a `Similarity` means, for clients that pick thresholds or
   * explain matches. Empty for a model that was not measured.
   * @throws {ResourceNotFoundException} when there is no such collection.
   */
  async describeSimilarityCalibration(context, input) {
    const faceModelVersion =
      input.CollectionId === undefined
        ? context.faceModelVersion
        : (await context.store.describeCollection(input.CollectionId)).faceModelVersion;
    const scale = similarityFor(context, { faceModelVersion });
    const points = [...(scale.falseAcceptRates ?? [])].sort((a, b) => a[0] - b[0]);
    return {
      FaceModelVersion: faceModelVersion,
      FalseAcceptRates: points.map(([Similarity, FalseAcceptRate]) => ({
        Similarity,
        FalseAcceptRate,
      })),
    };
  },
});
