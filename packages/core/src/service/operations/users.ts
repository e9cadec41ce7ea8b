import { InvalidParameterException } from '../../errors/exceptions.js';
import { userNotFound } from '../../errors/not-found.js';
import type { AssociateFacesResponse } from '../../model/wire-types.generated.js';
import { dot } from '../../vector/vector-math.js';
import { nextToken, pageCursor, similarityFor } from '../service-context.js';
import { userMatches } from './matching.js';
import { defineOperations } from './operation.js';
import { ownershipFailures, userStatus } from './wire-mapping.js';

export const userOperations = defineOperations({
  /**
   * Creates a user in a collection; faces are then attached with AssociateFaces.
   * Idempotent with `ClientRequestToken`.
   * @throws {ConflictException} when the user exists.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_CreateUser.html
   */
  createUser(context, input) {
    const { ClientRequestToken, ...params } = input;
    return context.idempotency.run('CreateUser', ClientRequestToken, params, async () => {
      await context.collectionLocks.run(input.CollectionId, () =>
        context.store.createUser(input.CollectionId, {
          userId: input.UserId,
          createdAt: context.now(),
        }),
      );
      return {};
    });
  },

  /**
   * Deletes a user; its faces stay in the collection, unassociated.
   * @throws {ResourceNotFoundException} when there is no such user.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DeleteUser.html
   */
  deleteUser(context, input) {
    const { ClientRequestToken, ...params } = input;
    return context.idempotency.run('DeleteUser', ClientRequestToken, params, async () => {
      await context.collectionLocks.run(input.CollectionId, () =>
        context.store.deleteUser(input.CollectionId, input.UserId),
      );
      return {};
    });
  },

  /**
   * The users of a collection, a page at a time.
   * @throws {ResourceNotFoundException} when there is no such collection.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_ListUsers.html
   */
  async listUsers(context, input) {
    const token = `ListUsers\u0000${input.CollectionId}`;
    const page = await context.store.listUsers(input.CollectionId, {
      limit: input.MaxResults ?? context.limits.defaultUserPageSize,
      after: pageCursor(token, input.NextToken),
    });
    return {
      Users: page.items.map((u) => ({ UserId: u.userId, UserStatus: userStatus(u) })),
      ...nextToken(token, page.next),
    };
  },

  /**
   * Attaches faces to a user (at most 100 per user). With `UserMatchThreshold`, a face must
   * be that similar to the user's existing faces.
   * @throws {ResourceNotFoundException} when the collection or the user does not exist.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_AssociateFaces.html
   */
  associateFaces(context, input) {
    const { store } = context;
    const { ClientRequestToken, ...params } = input;
    const { CollectionId, UserId, FaceIds } = input;
    const threshold = input.UserMatchThreshold ?? 75;
    return context.idempotency.run('AssociateFaces', ClientRequestToken, params, () =>
      context.collectionLocks.run(CollectionId, async () => {
        const collection = await store.describeCollection(CollectionId);
        const scale = similarityFor(context, collection);
        const user = await store.getUser(CollectionId, UserId);
        if (!user) throw userNotFound(CollectionId, UserId);
        // The threshold only applies once the user has a face to compare against.
        const userVector = await store.getUserVector(CollectionId, UserId);
        const lowConfidence: NonNullable<AssociateFacesResponse['UnsuccessfulFaceAssociations']> =
          [];
        let candidates: readonly string[] = FaceIds;
        if (userVector) {
          const faces = await store.getFaces(CollectionId, FaceIds);
          const tooDifferent = new Set<string>();
          for (const face of faces) {
            if (face.userId !== undefined) continue;
            const similarity = scale.toPercent(dot(face.vector, userVector));
            if (similarity < threshold) {
              tooDifferent.add(face.faceId);
              lowConfidence.push({
                FaceId: face.faceId,
                Confidence: similarity,
                Reasons: ['LOW_MATCH_CONFIDENCE'],
              });
            }
          }
          candidates = FaceIds.filter((id) => !tooDifferent.has(id));
        }
        const result = await store.associateFaces(
          CollectionId,
          UserId,
          candidates,
          context.limits.maxFacesPerUser,
        );
        return {
          AssociatedFaces: result.changed.map((FaceId) => ({ FaceId })),
          UnsuccessfulFaceAssociations: [
            ...ownershipFailures(result.unsuccessful),
            ...lowConfidence,
          ],
          UserStatus: userStatus(result.user),
        };
      }),
    );
  },

  /**
   * Detaches faces from a user.
   * @throws {ResourceNotFoundException} when the collection or the user does not exist.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_DisassociateFaces.html
   */
  disassociateFaces(context, input) {
    const { ClientRequestToken, ...params } = input;
    return context.idempotency.run('DisassociateFaces', ClientRequestToken, params, async () => {
      const result = await context.collectionLocks.run(input.CollectionId, () =>
        context.store.disassociateFaces(input.CollectionId, input.UserId, input.FaceIds),
      );
      return {
        DisassociatedFaces: result.changed.map((FaceId) => ({ FaceId })),
        UnsuccessfulFaceDisassociations: ownershipFailures(result.unsuccessful),
        UserStatus: userStatus(result.user),
      };
    });
  },

  /**
   * Users whose faces are most similar to a user or a stored face, best first.
   * @throws {ResourceNotFoundException} when the collection, user or face does not exist.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_SearchUsers.html
   */
  async searchUsers(context, input) {
    const { store } = context;
    const { CollectionId, UserId, FaceId } = input;
    if ((UserId === undefined) === (FaceId === undefined)) {
      throw new InvalidParameterException('Provide exactly one of UserId and FaceId.');
    }
    const collection = await store.describeCollection(CollectionId);
    let vector: Float32Array | undefined;
    if (UserId !== undefined) {
      const user = await store.getUser(CollectionId, UserId);
      if (!user) throw userNotFound(CollectionId, UserId);
      vector = await store.getUserVector(CollectionId, UserId);
    } else {
      const [face] = await store.getFaces(CollectionId, [FaceId as string]);
      if (!face) {
        throw new InvalidParameterException(
          `faceId ${FaceId} was not found in the collection ${CollectionId}`,
        );
      }
      vector = face.vector;
    }
    return {
      UserMatches: vector
        ? await userMatches(context, collection, vector, {
            threshold: input.UserMatchThreshold ?? 80,
            maxUsers: input.MaxUsers,
            excludeUserIds: UserId === undefined ? [] : [UserId],
          })
        : [],
      FaceModelVersion: collection.faceModelVersion,
      ...(UserId !== undefined ? { SearchedUser: { UserId } } : { SearchedFace: { FaceId } }),
    };
  },
});
