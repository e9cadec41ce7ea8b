import type { FalseAcceptRateEstimate } from '../analysis/false-accept-rate.js';
import type { OperationSpec, ShapeSpec } from './shape-spec.js';
import type {
  BoundingBox,
  CollectionId,
  FaceDetail,
  FaceId,
  Image,
  Percent,
  Pose,
  QualityFilter,
  Reason,
  UserId,
} from './wire-types.generated.js';

/**
 * The identification extension operations (`X-Amz-Target: FacekitService.WhoIsInImage`,
 * `.ExplainMatch`): their shapes in the Rekognition model's format (requests are validated by the same rules as
 * Rekognition's; members reuse its shapes: `CollectionId`, `Image`, `Percent`...), their specs and
 * their wire types, PascalCase like Rekognition's.
 */

const errors = [
  'AccessDeniedException',
  'ImageTooLargeException',
  'InternalServerError',
  'InvalidImageFormatException',
  'InvalidParameterException',
  'InvalidS3ObjectException',
  'ProvisionedThroughputExceededException',
  'ResourceNotFoundException',
  'ThrottlingException',
] as const;

export const identificationOperations = {
  WhoIsInImage: { input: 'WhoIsInImageRequest', output: 'WhoIsInImageResponse', errors },
  ExplainMatch: { input: 'ExplainMatchRequest', output: 'ExplainMatchResponse', errors },
} as const satisfies Record<string, OperationSpec>;

export const identificationShapes: Readonly<Record<string, ShapeSpec>> = {
  WhoIsInImageRequest: {
    type: 'structure',
    members: {
      CollectionId: { target: 'CollectionId', required: true },
      Image: { target: 'Image', required: true },
      FaceMatchThreshold: { target: 'Percent' },
      MaxFaces: { target: 'MaxFacesPerImage' },
      MaxCandidates: { target: 'MaxCandidates' },
      QualityFilter: { target: 'QualityFilter' },
    },
  },
  WhoIsInImageResponse: {
    type: 'structure',
    members: {
      Faces: { target: 'IdentifiedFaceList' },
      FaceMatchThreshold: { target: 'Percent' },
      FaceModelVersion: { target: 'String' },
    },
  },
  IdentifiedFaceList: { type: 'list', member: 'IdentifiedFace' },
  IdentifiedFace: {
    type: 'structure',
    members: {
      FaceDetail: { target: 'FaceDetail' },
      Identity: { target: 'FaceIdentity' },
      UserId: { target: 'UserId' },
      FaceId: { target: 'FaceId' },
      ExternalImageId: { target: 'ExternalImageId' },
      Similarity: { target: 'Percent' },
      FalseAcceptRate: { target: 'FalseAcceptRateEstimate' },
      Candidates: { target: 'PersonCandidateList' },
      Reasons: { target: 'Reasons' },
    },
  },
  FaceIdentity: { type: 'string', enum: ['USER', 'FACE', 'UNKNOWN', 'UNSEARCHED'] },
  PersonCandidateList: { type: 'list', member: 'PersonCandidate' },
  PersonCandidate: {
    type: 'structure',
    members: {
      UserId: { target: 'UserId' },
      FaceId: { target: 'FaceId' },
      ExternalImageId: { target: 'ExternalImageId' },
      Similarity: { target: 'Percent' },
      FalseAcceptRate: { target: 'FalseAcceptRateEstimate' },
    },
  },
  FalseAcceptRateEstimate: {
    type: 'structure',
    members: {
      Rate: { target: 'FalseAcceptRateFraction' },
      Bound: { target: 'FalseAcceptRateBound' },
    },
  },
  FalseAcceptRateFraction: { type: 'double', min: 0, max: 1 },
  FalseAcceptRateBound: { type: 'string', enum: ['INTERPOLATED', 'AT_MOST', 'AT_LEAST'] },
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
  ExplainMatchResponse: {
    type: 'structure',
    members: {
      Similarity: { target: 'Percent' },
      FalseAcceptRate: { target: 'FalseAcceptRateEstimate' },
      FaceMatchThreshold: { target: 'Percent' },
      Matched: { target: 'Boolean' },
      Faces: { target: 'ExplainedFaceList' },
      WeakerFace: { target: 'WeakerFace' },
      NextBest: { target: 'PersonCandidate' },
      Margin: { target: 'Float' },
    },
  },
  ExplainedFaceList: { type: 'list', member: 'ExplainedFace', min: 2, max: 2 },
  ExplainedFace: {
    type: 'structure',
    members: {
      FaceId: { target: 'FaceId' },
      UserId: { target: 'UserId' },
      ExternalImageId: { target: 'ExternalImageId' },
      BoundingBox: { target: 'BoundingBox' },
      MeasuredFrom: { target: 'MeasuredFrom' },
      Confidence: { target: 'Percent' },
      HeightPixels: { target: 'UInteger' },
      Pose: { target: 'Pose' },
      Sharpness: { target: 'Float' },
      Brightness: { target: 'Float' },
      Occluded: { target: 'Boolean' },
      QualityScore: { target: 'QualityScore' },
      Issues: { target: 'FaceQualityIssueList' },
    },
  },
  MeasuredFrom: { type: 'string', enum: ['TARGET_IMAGE', 'SOURCE_IMAGE', 'STORED_FACE'] },
  QualityScore: { type: 'float', min: 0, max: 1 },
  FaceQualityIssueList: { type: 'list', member: 'FaceQualityIssue' },
  FaceQualityIssue: {
    type: 'string',
    enum: [
      'SMALL',
      'EXTREME_POSE',
      'LOW_SHARPNESS',
      'LOW_BRIGHTNESS',
      'OCCLUDED',
      'LOW_CONFIDENCE',
    ],
  },
  WeakerFace: { type: 'string', enum: ['FACE', 'TARGET', 'NEITHER', 'UNKNOWN'] },
  MaxFacesPerImage: { type: 'integer', min: 1, max: 100 },
  MaxCandidates: { type: 'integer', min: 1, max: 10 },
};

/** Input and output wire types of each identification operation. */
export interface IdentificationOperationShapes {
  WhoIsInImage: { input: WhoIsInImageRequest; output: WhoIsInImageResponse };
  ExplainMatch: { input: ExplainMatchRequest; output: ExplainMatchResponse };
}

export type { FalseAcceptRateEstimate } from '../analysis/false-accept-rate.js';

/** `FacekitService.WhoIsInImage`: every face of an image, identified against a collection. */
export interface WhoIsInImageRequest {
  CollectionId: CollectionId;
  Image: Image;
  /**
   * Lowest `Similarity` (percent) between a face of the image and a face of the collection for
   * the face to be named; default 80 (about 0.1% false accepts). Or send
   * `x-facekit-max-false-accept-rate` instead.
   */
  FaceMatchThreshold?: Percent;
  /** How many faces of the image (largest first) to identify, 1..100; default all (100). */
  MaxFaces?: number;
  /** How many people to list per face (best first), 1..10; default 3. */
  MaxCandidates?: number;
  /** Faces below this quality are listed `UNSEARCHED` with their `Reasons`; default NONE. */
  QualityFilter?: QualityFilter;
}

/**
 * Who a face is: a user (`USER`, the face matched one of the user's faces), a face of the
 * collection that belongs to no user (`FACE`), nobody above the threshold (`UNKNOWN`), or not
 * searched because it failed the `QualityFilter` (`UNSEARCHED`).
 */
export type FaceIdentity = 'USER' | 'FACE' | 'UNKNOWN' | 'UNSEARCHED';

/** A person of the collection as a candidate for a face: a user, or a face of no user. */
export interface PersonCandidate {
  /** Set when the matching face belongs to a user. */
  UserId?: UserId;
  /** The collection's face that matched best (for a user: the best of its faces). */
  FaceId: FaceId;
  ExternalImageId?: string;
  Similarity: Percent;
  /** The false accept rate at this `Similarity`; absent for a face model without calibration. */
  FalseAcceptRate?: FalseAcceptRateEstimate;
}

export interface IdentifiedFace {
  FaceDetail: FaceDetail;
  Identity: FaceIdentity;
  /** For `USER`. */
  UserId?: UserId;
  /** For `USER` and `FACE`: the collection's face that matched. */
  FaceId?: FaceId;
  ExternalImageId?: string;
  Similarity?: Percent;
  FalseAcceptRate?: FalseAcceptRateEstimate;
  /**
   * The closest people whatever the threshold, best first, one entry per person (the first is
   * the identity unless another face of the image took that person with a higher Similarity).
   */
  Candidates: PersonCandidate[];
  /** For `UNSEARCHED`: why (the `QualityFilter` reasons). */
  Reasons?: Reason[];
}

export interface WhoIsInImageResponse {
  /** One entry per face of the image, largest first. */
  Faces: IdentifiedFace[];
  /** The threshold used (given, or derived from the requested false accept rate). */
  FaceMatchThreshold: Percent;
  FaceModelVersion: string;
}

/** `FacekitService.ExplainMatch`: why two faces match (or not). */
export interface ExplainMatchRequest {
  CollectionId: CollectionId;
  /** A face of the collection. */
  FaceId: FaceId;
  /** The other face: a face of the collection... */
  TargetFaceId?: FaceId;
  /** ...or the largest face of an image (exactly one of the two). */
  TargetImage?: Image;
  /** The threshold `Matched` is judged at; default 80. Or `x-facekit-max-false-accept-rate`. */
  FaceMatchThreshold?: Percent;
}

/** What can weaken a face's embedding, worst first in `Issues`. */
export type FaceQualityIssue =
  | 'SMALL'
  | 'EXTREME_POSE'
  | 'LOW_SHARPNESS'
  | 'LOW_BRIGHTNESS'
  | 'OCCLUDED'
  | 'LOW_CONFIDENCE';

/** One face of the pair and how good a picture of a face it is. */
export interface ExplainedFace {
  /** Absent for the face of `TargetImage`. */
  FaceId?: FaceId;
  UserId?: UserId;
  ExternalImageId?: string;
  BoundingBox?: BoundingBox;
  /**
   * Where the measurements come from: the request's image, the kept source image of a stored
   * face (re-analysed), or only what the collection stores (box and confidence; the source
   * image was not kept: `--keep-source-images`).
   */
  MeasuredFrom: 'TARGET_IMAGE' | 'SOURCE_IMAGE' | 'STORED_FACE';
  /** Detection confidence, percent. */
  Confidence?: Percent;
  /** Face box height in pixels of the upright image (unknown for `STORED_FACE`). */
  HeightPixels?: number;
  Pose?: Pose;
  Sharpness?: number;
  Brightness?: number;
  /** Whether eyes, nose or mouth fall outside the image (no model for masks or hands). */
  Occluded?: boolean;
  /**
   * 0..1: the weakest of size (height over the embedder's 112 px), pose, sharpness, brightness
   * and occlusion, each 1 when it cannot hurt the embedding. Absent when not measured.
   */
  QualityScore?: number;
  /** The properties scoring under 0.9, worst first. */
  Issues: FaceQualityIssue[];
}

export interface ExplainMatchResponse {
  Similarity: Percent;
  FalseAcceptRate?: FalseAcceptRateEstimate;
  FaceMatchThreshold: Percent;
  /** `Similarity` ≥ `FaceMatchThreshold`. */
  Matched: boolean;
  /** `FaceId`'s face, then the target's. */
  Faces: [ExplainedFace, ExplainedFace];
  /**
   * The face whose picture limits the match most (`FACE`: `FaceId`'s, `TARGET`: the target's),
   * or `NEITHER` when both score 0.8 or more, or `UNKNOWN` when neither could be measured.
   */
  WeakerFace: 'FACE' | 'TARGET' | 'NEITHER' | 'UNKNOWN';
  /**
   * The best other person of the collection for the target face (not `FaceId`'s person, nor
   * the target face itself), and how far `Similarity` is above it (negative: the target looks
   * more like someone else).
   */
  NextBest?: PersonCandidate;
  Margin?: number;
}
