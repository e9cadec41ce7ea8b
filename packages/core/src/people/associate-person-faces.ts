import type { PhotoSkip } from './find-person-faces.js';

/** A photo of a person's folder as the association step sees it. */
export interface AssociablePhoto {
  /** The face chosen as the person (cleared when AssociateFaces refuses it). */
  faceId?: string;
  skip?: PhotoSkip;
  /** Set when the face already belonged to the user (an earlier run). */
  alreadyAssociated?: boolean;
}

/** A photo of a person's folder from IndexFaces on: its faces, then the decision about it. */
export interface PersonFolderPhoto extends AssociablePhoto {
  faceIds: string[];
}

/** A subfolder of photos of one person, and the user it becomes. */
export interface PersonFolder<Photo extends PersonFolderPhoto> {
  folder: string;
  userId: string;
  photos: Photo[];
}

/** What AssociateFaces answers, as far as used here. */
export interface AssociateFacesAnswer {
  UnsuccessfulFaceAssociations?: readonly {
    FaceId?: string;
    UserId?: string;
    Reasons?: readonly string[];
  }[];
}

/**
 * Associates the chosen photos' faces with `userId` in AssociateFaces batches of 100 (its limit):
 * a face the user already has (`userOfFace`, from ListFaces) is only marked, and a face
 * AssociateFaces refuses leaves its photo skipped as 'not associated', with the reasons.
 */
export async function associatePersonFaces(
  chosen: readonly AssociablePhoto[],
  userId: string,
  userOfFace: ReadonlyMap<string, string>,
  associate: (faceIds: string[]) => Promise<AssociateFacesAnswer>,
): Promise<void> {
  const toAssociate: AssociablePhoto[] = [];
  for (const photo of chosen) {
    if (userOfFace.get(photo.faceId as string) === userId) photo.alreadyAssociated = true;
    else toAssociate.push(photo);
  }
  for (let i = 0; i < toAssociate.length; i += 100) {
    const batch = toAssociate.slice(i, i + 100);
    const answer = await associate(batch.map((p) => p.faceId as string));
    const failed = new Map(
      (answer.UnsuccessfulFaceAssociations ?? []).map((u) => [
        u.FaceId,
        [...(u.Reasons ?? []), ...(u.UserId ? [`user ${u.UserId}`] : [])].join(' '),
      ]),
    );
    for (const photo of batch) {
      const why = failed.get(photo.faceId);
      if (why === undefined) continue;
      photo.skip = { reason: 'not associated', detail: why };
      photo.faceId = undefined;
    }
  }
}
