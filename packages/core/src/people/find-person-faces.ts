import {
  choosePersonFaces,
  type FaceLink,
  type FolderPhoto,
  type PhotoChoice,
} from './choose-person-faces.js';

/** Why a photo of a person's folder gave no face to associate with the person. */
export type PersonSkipReason =
  | 'no face'
  | 'too small'
  | 'low quality'
  | 'no face matching the others'
  | 'several people equally often'
  | 'not associated'
  | 'failed';

/** A skipped photo's reason, with the details behind it (IndexFaces' reasons, an error). */
export interface PhotoSkip {
  reason: PersonSkipReason;
  detail?: string;
}

/** What a face search answers per match (SearchFaces' `FaceMatches`), as far as used here. */
export interface FolderFaceMatch {
  Similarity?: number;
  Face?: { FaceId?: string };
}

/**
 * Which face of each photo is the folder's person: every face of the folder is searched
 * (`searchFace`, SearchFaces at the caller's threshold, with a `MaxFaces` large enough for the
 * folder), the matches between faces of the folder become links, and {@link choosePersonFaces}
 * decides. Searches run one after the other, so a server is not flooded by one folder.
 */
export async function findPersonFaces(
  photos: readonly FolderPhoto[],
  searchFace: (faceId: string) => Promise<readonly FolderFaceMatch[]>,
): Promise<PhotoChoice[]> {
  const folderFaces = new Set(photos.flatMap((p) => p.faceIds));
  const links: FaceLink[] = [];
  for (const faceId of folderFaces) {
    for (const match of await searchFace(faceId)) {
      const other = match.Face?.FaceId;
      // Each pair once: SearchFaces finds it from both ends.
      if (other && other > faceId && folderFaces.has(other)) {
        links.push({ a: faceId, b: other, similarity: match.Similarity ?? 0 });
      }
    }
  }
  return choosePersonFaces(photos, links);
}

/** Why a photo that IndexFaces left without a face is skipped, from its `UnindexedFaces`. */
export function skipOfUnindexed(unindexed: readonly { Reasons?: readonly string[] }[]): PhotoSkip {
  const reasons = new Set(unindexed.flatMap((u) => u.Reasons ?? []));
  if (reasons.size === 0) return { reason: 'no face' };
  const detail = [...reasons].join(' ');
  return reasons.has('SMALL_BOUNDING_BOX')
    ? { reason: 'too small', detail }
    : { reason: 'low quality', detail };
}

/** Why a photo without a chosen face is skipped; `undefined` for a chosen one. */
export function skipOfChoice(choice: PhotoChoice): PhotoSkip | undefined {
  if (choice.kind === 'chosen') return undefined;
  return {
    reason:
      choice.kind === 'no-match' ? 'no face matching the others' : 'several people equally often',
  };
}
