import { collectionIdFromArn } from '../collection-arn.js';
import { checkTagCount } from '../service-context.js';
import { defineOperations } from './operation.js';

export const tagOperations = defineOperations({
  /**
   * Adds or replaces tags of a collection, named by its ARN (at most 50 tags).
   * @throws {ServiceQuotaExceededException} beyond 50 tags.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_TagResource.html
   */
  async tagResource(context, input) {
    const collectionId = collectionIdFromArn(context.scope, input.ResourceArn);
    checkTagCount(context, Object.keys(input.Tags).length);
    await context.store.tagCollection(collectionId, input.Tags, context.limits.maxTagsPerResource);
    return {};
  },

  /**
   * Removes tags of a collection, named by its ARN.
   * @throws {ResourceNotFoundException} when there is no such collection.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_UntagResource.html
   */
  async untagResource(context, input) {
    await context.store.untagCollection(
      collectionIdFromArn(context.scope, input.ResourceArn),
      input.TagKeys,
    );
    return {};
  },

  /**
   * The tags of a collection, named by its ARN.
   * @throws {ResourceNotFoundException} when there is no such collection.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_ListTagsForResource.html
   */
  async listTagsForResource(context, input) {
    const collectionId = collectionIdFromArn(context.scope, input.ResourceArn);
    return { Tags: await context.store.getTags(collectionId) };
  },
});
