import { InvalidParameterException } from '../../errors/exceptions.js';
import { nextToken, pageCursor } from '../service-context.js';
import { collectionThreshold, faceMatches } from './matching.js';
import { defineOperations } from './operation.js';
import { releaseImages } from './source-images.js';
import { ownershipFailures, toWireFace } from './wire-mapping.js';

/** The stored faces of a collection; IndexFaces, which adds them, is in `index-faces.ts`. */
export const faceOperations = defineOperations({
  /**
   * The faces of a collection (optionally of one `UserId` or `FaceIds`), a page at a time.
   * @throws {ResourceNotFoundException} when there is no such collection.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_ListFaces.html
   */
  async listFaces(context, input) {
    const { CollectionId, UserId, FaceIds } = input;
    const token = `ListFaces\u0000${CollectionId}\u0000${UserId ?? ''}\u0000${(FaceIds ?? []).join(',')}`;
    const [collection, page] = await Promise.all([
      context.store.describeCollection(CollectionId),
      context.store.listFaces(
        CollectionId,
        {
          limit: input.MaxResults || context.limits.defaultPageSize,
          after: pageCursor(token, input.NextToken),
        },
        { userId: UserId, faceIds: FaceIds },
      ),
    ]);
    return {
      Faces: page.items.map(toWireFace),
      ...nextToken(token, page.next),
      FaceModelVersion: collection.faceModelVersion,
    };
  },

  /**
   * Deletes faces by id; ids that do not exist are returned in `UnsuccessfulFaceDeletions`.
   * @throws {ResourceNotFoundException} when there is no such collection.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DeleteFaces.html
   */
  async deleteFaces(context, input) {
    const { store } = context;
    const { result, imageIds } = await context.collectionLocks.run(input.CollectionId, async () => {
      const faces = context.sourceImages
        ? await store.getFaces(input.CollectionId, input.FaceIds)
        : [];
      const result = await store.deleteFaces(input.CollectionId, input.FaceIds);
      const deleted = new Set(result.deleted);
      const imageIds = faces.filter((f) => deleted.has(f.faceId)).map((f) => f.imageId);
      return { result, imageIds: [...new Set(imageIds)] };
    });
    await releaseImages(context, imageIds);
    return {
      DeletedFaces: result.deleted,
      UnsuccessfulFaceDeletions: ownershipFailures(result.unsuccessful),
    };
  },

  /**
   * Faces of the collection most similar to a stored face, at least `FaceMatchThreshold`
   * percent similar (default 80), best first; the face itself is left out.
   * @throws {ResourceNotFoundException} when the collection or the face does not exist.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_SearchFaces.html
   */
  async searchFaces(context, input, options) {
    const { CollectionId, FaceId } = input;
    const [collection, [face]] = await Promise.all([
      context.store.describeCollection(CollectionId),
      context.store.getFaces(CollectionId, [FaceId]),
    ]);
    if (!face) {
      throw new InvalidParameterException(
        `faceId ${FaceId} was not found in the collection ${CollectionId}`,
      );
    }
    return {
      SearchedFaceId: FaceId,
      FaceMatches: await faceMatches(context, collection, face.vector, {
        threshold: collectionThreshold(context, collection, input.FaceMatchThreshold, options),
        maxFaces: input.MaxFaces,
        excludeFaceIds: [FaceId],
      }),
      FaceModelVersion: collection.faceModelVersion,
    };
  },
});
