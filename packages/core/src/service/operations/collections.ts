import { collectionArn } from '../collection-arn.js';
import { checkTagCount, nextToken, pageCursor } from '../service-context.js';
import { defineOperations } from './operation.js';
import { imageIdsOf, releaseImages } from './source-images.js';

export const collectionOperations = defineOperations({
  /**
   * Creates an empty collection bound to this service's default face model (`FaceModelVersion`).
   * @throws {ResourceAlreadyExistsException} when the id is taken.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_CreateCollection.html
   */
  async createCollection(context, input) {
    const tags = input.Tags ?? {};
    checkTagCount(context, Object.keys(tags).length);
    await context.store.createCollection(
      {
        collectionId: input.CollectionId,
        faceModelVersion: context.faceModelVersion,
        createdAt: context.now(),
      },
      tags,
    );
    return {
      StatusCode: 200,
      // Rekognition's documented CreateCollection ARN has no `arn:` prefix (DescribeCollection's has).
      CollectionArn: collectionArn(context.scope, input.CollectionId).slice('arn:'.length),
      FaceModelVersion: context.faceModelVersion,
    };
  },

  /**
   * Deletes a collection with its faces, users and tags.
   * @throws {ResourceNotFoundException} when there is no such collection.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DeleteCollection.html
   */
  async deleteCollection(context, input) {
    const imageIds = await context.collectionLocks.run(input.CollectionId, async () => {
      const images = context.sourceImages ? await imageIdsOf(context, input.CollectionId) : [];
      await context.store.deleteCollection(input.CollectionId);
      return images;
    });
    await releaseImages(context, imageIds);
    return { StatusCode: 200 };
  },

  /**
   * Face and user counts, face model, ARN and creation time (epoch seconds) of a collection.
   * @throws {ResourceNotFoundException} when there is no such collection.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DescribeCollection.html
   */
  async describeCollection(context, input) {
    const stats = await context.store.describeCollection(input.CollectionId);
    return {
      FaceCount: stats.faceCount,
      FaceModelVersion: stats.faceModelVersion,
      CollectionARN: collectionArn(context.scope, stats.collectionId),
      CreationTimestamp: stats.createdAt / 1000,
      UserCount: stats.userCount,
    };
  },

  /**
   * Collection ids with their face model versions, in creation order, a page at a time
   * (`MaxResults`, `NextToken`).
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_ListCollections.html
   */
  async listCollections(context, input) {
    const token = 'ListCollections';
    const page = await context.store.listCollections({
      limit: input.MaxResults || context.limits.defaultPageSize,
      after: pageCursor(token, input.NextToken),
    });
    return {
      CollectionIds: page.items.map((c) => c.collectionId),
      FaceModelVersions: page.items.map((c) => c.faceModelVersion),
      ...nextToken(token, page.next),
    };
  },
});
