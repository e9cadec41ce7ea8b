import type { ShapeSpec } from './shape-spec.js';

/**
 * Request shapes of facekit's extension operations (`FacekitService.*`), in the same form as the
 * generated Rekognition model, so requests are validated by the same rules and answer the same
 * `InvalidParameterException` messages. Members reuse the Rekognition shapes (`CollectionId`,
 * `Image`, `Percent`...); only what is new is defined here. Names start with `Facekit` where
 * they could be mistaken for Rekognition's.
 */
export const facekitShapes: Readonly<Record<string, ShapeSpec>> = {
  WhoIsInImageRequest: {
    type: 'structure',
    members: {
      CollectionId: { target: 'CollectionId', required: true },
      Image: { target: 'Image', required: true },
      FaceMatchThreshold: { target: 'Percent' },
      MaxFaces: { target: 'FacekitMaxFacesPerImage' },
      MaxCandidates: { target: 'FacekitMaxCandidates' },
      QualityFilter: { target: 'QualityFilter' },
    },
  },
  ExplainMatchRequest: {
    type: 'structure',
    members: {
      CollectionId: { target: 'CollectionId', required: true },
      FaceId: { target: 'FaceId', required: true },
      TargetFaceId: { target: 'FaceId' },
      TargetImage: { target: 'Image' },
      FaceMatchThreshold: { target: 'Percent' },
    },
  },
  FacekitMaxFacesPerImage: { type: 'integer', min: 1, max: 100 },
  FacekitMaxCandidates: { type: 'integer', min: 1, max: 10 },
};
