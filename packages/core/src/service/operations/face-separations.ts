import { InvalidParameterException } from '../../errors/exceptions.js';
import { userNotFound } from '../../errors/not-found.js';
import type { FaceSeparationDecision } from '../../model/extension-model.js';
import type { FaceSeparation } from '../../storage/face-store.js';
import { defineExtensionOperations } from './operation.js';

/**
 * "Not this person": the decisions ClusterFaces respects, recorded (SeparateFaces), listed
 * (ListFaceSeparations) and taken back (DeleteFaceSeparations).
 */
export const faceSeparationOperations = defineExtensionOperations({
  /**
   * Records "not this person": `FaceIds` are not the user `UserId`, or not the same person as
   * `OtherFaceIds` (a cluster's other faces). ClusterFaces never groups them again. Faces not in
   * the collection are listed, not recorded.
   * @throws {ResourceNotFoundException} when the collection or the user does not exist.
   * @throws {InvalidParameterException} without exactly one of `UserId` and `OtherFaceIds`, or
   *   for a face associated with `UserId` itself (disassociate it first).
   */
  async separateFaces(context, input) {
    const { store } = context;
    const { CollectionId, FaceIds, UserId, OtherFaceIds } = input;
    if ((UserId === undefined) === (OtherFaceIds === undefined)) {
      throw new InvalidParameterException('Provide exactly one of UserId and OtherFaceIds.');
    }
    return context.collectionLocks.run(CollectionId, async () => {
      await store.describeCollection(CollectionId);
      const known = await store.getFaces(CollectionId, [...new Set(FaceIds)]);
      const knownIds = new Set(known.map((f) => f.faceId));
      const separations: FaceSeparation[] = [];
      if (UserId !== undefined) {
        if (!(await store.getUser(CollectionId, UserId))) throw userNotFound(CollectionId, UserId);
        const own = known.filter((f) => f.userId === UserId).map((f) => f.faceId);
        if (own.length > 0) {
          throw new InvalidParameterException(
            `Faces ${own.join(', ')} are associated with user ${UserId}: disassociate them (DisassociateFaces) before separating them from it.`,
          );
        }
        for (const f of known) separations.push({ faceId: f.faceId, userId: UserId });
      } else {
        const others = [...new Set(OtherFaceIds)].filter((id) => !knownIds.has(id));
        for (const f of known) {
          for (const other of others) separations.push({ faceId: f.faceId, otherFaceId: other });
        }
      }
      await store.putFaceSeparations(CollectionId, separations);
      return {
        SeparatedFaceIds: known.map((f) => f.faceId),
        UnknownFaceIds: FaceIds.filter((id) => !knownIds.has(id)),
      };
    });
  },

  /**
   * The collection's decisions, optionally only those about one face or one user: pairs of
   * faces first (`FaceId` < `OtherFaceId`), then face–user decisions, each group in string order.
   * @throws {ResourceNotFoundException} when the collection does not exist.
   */
  async listFaceSeparations(context, input) {
    const { CollectionId, FaceId, UserId } = input;
    const all = await context.store.listFaceSeparations(CollectionId);
    const wanted = all.filter(
      (s) =>
        (FaceId === undefined || s.faceId === FaceId || s.otherFaceId === FaceId) &&
        (UserId === undefined || s.userId === UserId),
    );
    const key = (s: FaceSeparation) =>
      `${s.otherFaceId === undefined ? 1 : 0}:${s.faceId}:${s.otherFaceId ?? s.userId}`;
    wanted.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return { Separations: wanted.map(toWire) };
  },

  /**
   * Undoes "not this person": removes the decisions that `FaceIds` are not the user `UserId`, or
   * not the same person as `OtherFaceIds` (each pair, in either order). Decisions never recorded
   * are left out of the answer; ClusterFaces may group the faces again.
   * @throws {ResourceNotFoundException} when the collection does not exist.
   * @throws {InvalidParameterException} without exactly one of `UserId` and `OtherFaceIds`.
   */
  async deleteFaceSeparations(context, input) {
    const { CollectionId, FaceIds, UserId, OtherFaceIds } = input;
    if ((UserId === undefined) === (OtherFaceIds === undefined)) {
      throw new InvalidParameterException('Provide exactly one of UserId and OtherFaceIds.');
    }
    const faces = [...new Set(FaceIds)];
    const separations: FaceSeparation[] =
      UserId !== undefined
        ? faces.map((faceId) => ({ faceId, userId: UserId }))
        : faces.flatMap((faceId) =>
            [...new Set(OtherFaceIds)].map((otherFaceId) => ({ faceId, otherFaceId })),
          );
    const deleted = await context.collectionLocks.run(CollectionId, () =>
      context.store.deleteFaceSeparations(CollectionId, separations),
    );
    return { DeletedSeparations: deleted.map(toWire) };
  },
});

function toWire(s: FaceSeparation): FaceSeparationDecision {
  return s.otherFaceId !== undefined
    ? { FaceId: s.faceId, OtherFaceId: s.otherFaceId }
    : { FaceId: s.faceId, UserId: s.userId };
}
