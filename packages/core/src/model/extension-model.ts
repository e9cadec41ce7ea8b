import { type PeopleOperationShapes, peopleOperations, peopleShapes } from './people-model.js';
import type { OperationSpec, ShapeSpec } from './shape-spec.js';

/**
 * facekit's own operations, beyond Rekognition's: the same AWS JSON 1.1 protocol, signatures and
 * error shapes, under their own `X-Amz-Target` namespace so a name can never collide with (or be
 * mistaken for) a Rekognition operation. Their shapes use the Rekognition model's format and may
 * refer to its shapes (`CollectionId`, `FaceId`...); their names must not repeat one of them.
 *
 * Adding an operation: its shapes and spec here, its wire types below, its handler in
 * `service/operations/extension-operations.ts`. The server, the validator and the typed
 * `FaceService` methods follow from these lists.
 */
export const FACEKIT_TARGET_PREFIX = 'FacekitService.';

/** Shapes of the extension operations, in the Rekognition model's format (see `ShapeSpec`). */
export const extensionShapes: Readonly<Record<string, ShapeSpec>> = {
  DescribeSimilarityCalibrationRequest: {
    type: 'structure',
    members: { CollectionId: { target: 'CollectionId' } },
  },
  DescribeSimilarityCalibrationResponse: {
    type: 'structure',
    members: {
      FaceModelVersion: { target: 'String' },
      FalseAcceptRates: { target: 'FalseAcceptRateList' },
    },
  },
  FalseAcceptRatePoint: {
    type: 'structure',
    members: {
      Similarity: { target: 'Percent' },
      FalseAcceptRate: { target: 'FalseAcceptRate' },
    },
  },
  FalseAcceptRateList: { type: 'list', member: 'FalseAcceptRatePoint' },
  FalseAcceptRate: { type: 'double', min: 0, max: 1 },
  ...peopleShapes,
};

/** Every extension operation: input and output shapes and the errors it may answer. */
export const extensionOperations = {
  DescribeSimilarityCalibration: {
    input: 'DescribeSimilarityCalibrationRequest',
    output: 'DescribeSimilarityCalibrationResponse',
    errors: [
      'AccessDeniedException',
      'InternalServerError',
      'InvalidParameterException',
      'ResourceNotFoundException',
      'ThrottlingException',
    ],
  },
  ...peopleOperations,
} as const satisfies Record<string, OperationSpec>;

export type ExtensionOperationName = keyof typeof extensionOperations;

export const extensionOperationNames = Object.keys(
  extensionOperations,
) as readonly ExtensionOperationName[];

/** Input and output wire types of each extension operation. */
export interface ExtensionOperationShapes extends PeopleOperationShapes {
  DescribeSimilarityCalibration: {
    input: DescribeSimilarityCalibrationRequest;
    output: DescribeSimilarityCalibrationResponse;
  };
}

export interface DescribeSimilarityCalibrationRequest {
  /** The collection whose face model is described; default: the model of new collections. */
  CollectionId?: string;
}

export interface DescribeSimilarityCalibrationResponse {
  FaceModelVersion?: string;
  /**
   * Where the face model was measured, by rising `Similarity`: at `Similarity` ≥ this, the
   * fraction `FalseAcceptRate` (0..1) of different-person pairs matched. Empty when the model
   * has not been measured (its `Similarity` is then a plain scaled cosine).
   */
  FalseAcceptRates?: FalseAcceptRatePoint[];
}

export interface FalseAcceptRatePoint {
  Similarity?: number;
  FalseAcceptRate?: number;
}
