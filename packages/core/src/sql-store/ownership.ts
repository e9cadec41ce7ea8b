import type { DeleteFacesResult, FaceOwnershipResult, UserRecord } from '../storage/face-store.js';
import type { SqlInt } from './rows.js';

/** A face as DeleteFaces, AssociateFaces and DisassociateFaces see it: its row and its owner. */
export interface OwnedFaceRow<Int extends SqlInt = SqlInt> {
  seq: Int;
  /** The owning user's `seq`, or null. */
  userSeq: Int | null;
  /** The owning user's id, when `userSeq` is set. */
  userId: string | null;
}

/** Where one named face stands, relative to the user of the request (if any). */
export type FaceStanding<Int extends SqlInt = SqlInt> =
  | { kind: 'missing'; faceId: string }
  | { kind: 'free'; faceId: string; seq: Int }
  | { kind: 'own'; faceId: string; seq: Int }
  | { kind: 'other'; faceId: string; seq: Int; userId: string };

/**
 * The named faces, once each in request order, sorted by owner: missing, free, the user's own
 * (`userSeq`), or another user's (every owned face, when there is no `userSeq`).
 */
export function faceStandings<Int extends SqlInt>(
  faceIds: readonly string[],
  find: (faceId: string) => OwnedFaceRow<Int> | undefined,
  userSeq?: Int,
): FaceStanding<Int>[] {
  return [...new Set(faceIds)].map((faceId): FaceStanding<Int> => {
    const face = find(faceId);
    if (!face) return { kind: 'missing', faceId };
    if (face.userSeq === null) return { kind: 'free', faceId, seq: face.seq };
    if (userSeq !== undefined && String(face.userSeq) === String(userSeq)) {
      return { kind: 'own', faceId, seq: face.seq };
    }
    return { kind: 'other', faceId, seq: face.seq, userId: face.userId ?? '' };
  });
}

/** DeleteFaces: free faces are deleted; missing and owned ones fail with their reason. */
export function deletion<Int extends SqlInt>(
  faces: readonly FaceStanding<Int>[],
): { result: DeleteFacesResult; toDelete: Int[] } {
  const result: DeleteFacesResult = { deleted: [], unsuccessful: [] };
  const toDelete: Int[] = [];
  for (const face of faces) {
    if (face.kind === 'missing') {
      result.unsuccessful.push({ faceId: face.faceId, reason: 'FACE_NOT_FOUND' });
    } else if (face.kind === 'free') {
      toDelete.push(face.seq);
      result.deleted.push(face.faceId);
    } else {
      result.unsuccessful.push({
        faceId: face.faceId,
        ...(face.kind === 'other' ? { userId: face.userId } : {}),
        reason: 'ASSOCIATED_TO_AN_EXISTING_USER',
      });
    }
  }
  return { result, toDelete };
}

/**
 * AssociateFaces and DisassociateFaces: the result with the missing faces and those of another
 * user, and the free and own faces, which the store then changes and adds to `result.changed`.
 */
export function ownershipChange<Int extends SqlInt>(
  faces: readonly FaceStanding<Int>[],
  user: UserRecord,
): {
  result: FaceOwnershipResult;
  free: { faceId: string; seq: Int }[];
  own: { faceId: string; seq: Int }[];
} {
  const result: FaceOwnershipResult = { changed: [], unsuccessful: [], user };
  const free: { faceId: string; seq: Int }[] = [];
  const own: { faceId: string; seq: Int }[] = [];
  for (const face of faces) {
    if (face.kind === 'missing') {
      result.unsuccessful.push({ faceId: face.faceId, reason: 'FACE_NOT_FOUND' });
    } else if (face.kind === 'other') {
      result.unsuccessful.push({
        faceId: face.faceId,
        userId: face.userId,
        reason: 'ASSOCIATED_TO_A_DIFFERENT_USER',
      });
    } else (face.kind === 'free' ? free : own).push({ faceId: face.faceId, seq: face.seq });
  }
  return { result, free, own };
}
