import type { AnalyzedFace } from '../../analysis/face-analyzer.js';
import type {
  ComparedFace,
  Face,
  FaceDetail,
  UserStatus,
} from '../../model/wire-types.generated.js';
import type { FaceMetadata, StoredFace, UserRecord } from '../../storage/face-store.js';

/** Store records and analyzer results in their wire shapes, and back. */

export function toWireFace(face: FaceMetadata): Face {
  const { width, height, left, top } = face.boundingBox;
  return {
    FaceId: face.faceId,
    BoundingBox: { Width: width, Height: height, Left: left, Top: top },
    ImageId: face.imageId,
    ...(face.externalImageId === undefined ? {} : { ExternalImageId: face.externalImageId }),
    Confidence: face.confidence,
    IndexFacesModelVersion: face.indexFacesModelVersion,
    ...(face.userId === undefined ? {} : { UserId: face.userId }),
  };
}

export function fromWireBox(detail: FaceDetail): StoredFace['boundingBox'] {
  const { Width = 0, Height = 0, Left = 0, Top = 0 } = detail.BoundingBox ?? {};
  return { width: Width, height: Height, left: Left, top: Top };
}

/** The members of a `FaceDetail` that CompareFaces returns (`ComparedFace`). */
export function comparedFace(detail: FaceDetail): ComparedFace {
  const { BoundingBox, Confidence, Landmarks, Pose, Quality, Emotions, Smile } = detail;
  return { BoundingBox, Confidence, Landmarks, Pose, Quality, Emotions, Smile };
}

export function userStatus(user: UserRecord): UserStatus {
  return user.faceCount > 0 ? 'ACTIVE' : 'CREATED';
}

/** The faces a store refused to (dis)associate or delete, as the wire lists them. */
export function ownershipFailures<Reason extends string>(
  unsuccessful: readonly { faceId: string; userId?: string; reason: Reason }[],
): { FaceId: string; UserId?: string; Reasons: Reason[] }[] {
  return unsuccessful.map((u) => ({
    FaceId: u.faceId,
    ...(u.userId === undefined ? {} : { UserId: u.userId }),
    Reasons: [u.reason],
  }));
}

export function embeddingOf(face: AnalyzedFace): Float32Array {
  if (!face.embedding) throw new Error('analyzer returned a face without the embedding asked for');
  return face.embedding;
}
