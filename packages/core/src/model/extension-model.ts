import {
  type IdentificationOperationShapes,
  identificationOperations,
  identificationShapes,
} from './identification-model.js';
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

  ClusterFacesRequest: {
    type: 'structure',
    members: {
      CollectionId: { target: 'CollectionId', required: true },
      SimilarityThreshold: { target: 'Percent' },
      MaxFalseAcceptRate: { target: 'FalseAcceptRate' },
      MinClusterSize: { target: 'ClusterSize' },
      MaxClusters: { target: 'MaxClusters' },
    },
  },
  ClusterSize: { type: 'integer', min: 1, max: 4096 },
  MaxClusters: { type: 'integer', min: 1, max: 4096 },
  ClusterFacesResponse: {
    type: 'structure',
    members: {
      SimilarityThreshold: { target: 'Percent' },
      Clusters: { target: 'FaceClusterList' },
      ClusterCount: { target: 'UInteger' },
      FaceCount: { target: 'UInteger' },
      UnclusteredFaceCount: { target: 'UInteger' },
    },
  },
  FaceCluster: {
    type: 'structure',
    members: {
      UserId: { target: 'UserId' },
      FaceIds: { target: 'ClusterFaceIdList' },
      UserFaceCount: { target: 'UInteger' },
      Similarity: { target: 'Percent' },
    },
  },
  FaceClusterList: { type: 'list', member: 'FaceCluster' },
  ClusterFaceIdList: { type: 'list', member: 'FaceId' },

  SeparateFacesRequest: {
    type: 'structure',
    members: {
      CollectionId: { target: 'CollectionId', required: true },
      FaceIds: { target: 'SeparatedFaceIdList', required: true },
      UserId: { target: 'UserId' },
      OtherFaceIds: { target: 'FaceIdList' },
    },
  },
  SeparatedFaceIdList: { type: 'list', member: 'FaceId', min: 1, max: 100 },
  SeparateFacesResponse: {
    type: 'structure',
    members: {
      SeparatedFaceIds: { target: 'ClusterFaceIdList' },
      UnknownFaceIds: { target: 'ClusterFaceIdList' },
    },
  },

  DeleteFaceSeparationsRequest: {
    type: 'structure',
    members: {
      CollectionId: { target: 'CollectionId', required: true },
      FaceIds: { target: 'SeparatedFaceIdList', required: true },
      UserId: { target: 'UserId' },
      OtherFaceIds: { target: 'FaceIdList' },
    },
  },
  DeleteFaceSeparationsResponse: {
    type: 'structure',
    members: { DeletedSeparations: { target: 'FaceSeparationDecisionList' } },
  },
  ListFaceSeparationsRequest: {
    type: 'structure',
    members: {
      CollectionId: { target: 'CollectionId', required: true },
      FaceId: { target: 'FaceId' },
      UserId: { target: 'UserId' },
    },
  },
  ListFaceSeparationsResponse: {
    type: 'structure',
    members: { Separations: { target: 'FaceSeparationDecisionList' } },
  },
  FaceSeparationDecision: {
    type: 'structure',
    members: {
      FaceId: { target: 'FaceId' },
      OtherFaceId: { target: 'FaceId' },
      UserId: { target: 'UserId' },
    },
  },
  FaceSeparationDecisionList: { type: 'list', member: 'FaceSeparationDecision' },

  ...identificationShapes,
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
  ClusterFaces: {
    input: 'ClusterFacesRequest',
    output: 'ClusterFacesResponse',
    errors: [
      'AccessDeniedException',
      'InternalServerError',
      'InvalidParameterException',
      'ResourceNotFoundException',
      'ThrottlingException',
    ],
  },
  SeparateFaces: {
    input: 'SeparateFacesRequest',
    output: 'SeparateFacesResponse',
    errors: [
      'AccessDeniedException',
      'InternalServerError',
      'InvalidParameterException',
      'ResourceNotFoundException',
      'ThrottlingException',
    ],
  },
  DeleteFaceSeparations: {
    input: 'DeleteFaceSeparationsRequest',
    output: 'DeleteFaceSeparationsResponse',
    errors: [
      'AccessDeniedException',
      'InternalServerError',
      'InvalidParameterException',
      'ResourceNotFoundException',
      'ThrottlingException',
    ],
  },
  ListFaceSeparations: {
    input: 'ListFaceSeparationsRequest',
    output: 'ListFaceSeparationsResponse',
    errors: [
      'AccessDeniedException',
      'InternalServerError',
      'InvalidParameterException',
      'ResourceNotFoundException',
      'ThrottlingException',
    ],
  },
  ...identificationOperations,
} as const satisfies Record<string, OperationSpec>;

export type ExtensionOperationName = keyof typeof extensionOperations;

export const extensionOperationNames = Object.keys(
  extensionOperations,
) as readonly ExtensionOperationName[];

/** Input and output wire types of each extension operation. */
export interface ExtensionOperationShapes extends IdentificationOperationShapes {
  ClusterFaces: { input: ClusterFacesRequest; output: ClusterFacesResponse };
  SeparateFaces: { input: SeparateFacesRequest; output: SeparateFacesResponse };
  DeleteFaceSeparations: {
    input: DeleteFaceSeparationsRequest;
    output: DeleteFaceSeparationsResponse;
  };
  ListFaceSeparations: { input: ListFaceSeparationsRequest; output: ListFaceSeparationsResponse };
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

export interface ClusterFacesRequest {
  CollectionId: string;
  /**
   * How alike (calibrated `Similarity`, 0..100) two groups of faces must be on average to be
   * one person. Default: the threshold of `MaxFalseAcceptRate`, or 85.
   */
  SimilarityThreshold?: number;
  /**
   * Instead of `SimilarityThreshold`: the false accept rate (0..1) the face model was measured at
   * (also taken from the `x-facekit-max-false-accept-rate` header).
   */
  MaxFalseAcceptRate?: number;
  /** Smallest group of new faces reported as a person. Default 2. */
  MinClusterSize?: number;
  /** Most clusters returned, largest first. Default 1000. */
  MaxClusters?: number;
}

export interface ClusterFacesResponse {
  /** The threshold used. */
  SimilarityThreshold?: number;
  /** Candidate people, largest first: new faces of known users, then groups of new faces. */
  Clusters?: FaceCluster[];
  /** Clusters found, before `MaxClusters`. */
  ClusterCount?: number;
  /** Faces not associated with a user, the ones clustered. */
  FaceCount?: number;
  /** Of those, faces in no reported cluster (alone, or in a group under `MinClusterSize`). */
  UnclusteredFaceCount?: number;
}

export interface FaceCluster {
  /** The user whose faces this group joined; absent for a new person. */
  UserId?: string;
  /** Faces not associated with a user that belong here, most typical first. */
  FaceIds?: string[];
  /** Faces the user already has. */
  UserFaceCount?: number;
  /** Mean `Similarity` of the cluster's pairs of faces (its user's faces included). */
  Similarity?: number;
}

export interface SeparateFacesRequest {
  CollectionId: string;
  /** Faces that are not this person. */
  FaceIds: string[];
  /** This person is a user: `FaceIds` never join it in ClusterFaces. */
  UserId?: string;
  /** This person is these faces (a cluster's other faces): never together with `FaceIds`. */
  OtherFaceIds?: string[];
}

export interface SeparateFacesResponse {
  /** Faces whose decision was recorded. */
  SeparatedFaceIds?: string[];
  /** Faces of the request not in the collection (nothing recorded for them). */
  UnknownFaceIds?: string[];
}

export interface DeleteFaceSeparationsRequest {
  CollectionId: string;
  /** Faces whose "not this person" decision is taken back. */
  FaceIds: string[];
  /** The decisions that `FaceIds` are not this user. */
  UserId?: string;
  /** The decisions that `FaceIds` are not the person of these faces (pairs, either order). */
  OtherFaceIds?: string[];
}

export interface DeleteFaceSeparationsResponse {
  /** The decisions removed; the ones asked for but never recorded are left out. */
  DeletedSeparations?: FaceSeparationDecision[];
}

export interface ListFaceSeparationsRequest {
  CollectionId: string;
  /** Only the decisions about this face (as either face of a pair). */
  FaceId?: string;
  /** Only the decisions about this user. */
  UserId?: string;
}

export interface ListFaceSeparationsResponse {
  /** Every recorded decision that passes the filters: pairs of faces first, then face–user. */
  Separations?: FaceSeparationDecision[];
}

/** A "not the same person" decision: `FaceId` is not `UserId`, or not the person `OtherFaceId`. */
export interface FaceSeparationDecision {
  FaceId?: string;
  /** For a pair of faces: the other face (`FaceId` < `OtherFaceId` in string order). */
  OtherFaceId?: string;
  /** For a face and a user. */
  UserId?: string;
}
