import { expect } from 'vitest';
import { nearbyUnitVector, randomUnitVectors } from '../../storage/seeded-vectors.js';
import { FrontendLimitation, type WireObject } from '../api-frontend.js';
import { beforeEach, describe, it } from '../scenario-suite.js';
import { type ApiScenarioContext, DIMENSIONS } from './scenario-context.js';

/** Users: CreateUser, DeleteUser, ListUsers, AssociateFaces, DisassociateFaces, SearchUsers. */
export function userScenarios(scenario: ApiScenarioContext): void {
  const { call, expectError, seedFaces, listAll } = scenario;
  describe('users', () => {
    let seededFaceIds: string[] | undefined;
    let person: Float32Array;
    beforeEach(async () => {
      await call('CreateCollection', { CollectionId: 'people' });
      [person] = randomUnitVectors(1, DIMENSIONS, 9);
      // Without a store the scenarios that use these faces skip; the others still run.
      seededFaceIds = scenario.store
        ? await seedFaces('people', [
            ...[0.95, 0.92, 0.9].map((s, i) => nearbyUnitVector(person, s, 20 + i)),
            ...randomUnitVectors(3, DIMENSIONS, 10),
          ])
        : undefined;
    });
    /** The seeded faces: three of `person`, three others. */
    function seeded(): string[] {
      if (!seededFaceIds) {
        throw new FrontendLimitation(
          'seeds faces with chosen vectors, which needs direct access to the store',
        );
      }
      return seededFaceIds;
    }
    /** Creates these users in `people` (in this order), then associates each its faces. */
    async function createUsers(faces: Record<string, string[]>): Promise<void> {
      for (const UserId of Object.keys(faces))
        await call('CreateUser', { CollectionId: 'people', UserId });
      for (const [UserId, FaceIds] of Object.entries(faces)) {
        if (FaceIds.length > 0)
          await call('AssociateFaces', { CollectionId: 'people', UserId, FaceIds });
      }
    }

    it('CreateUser is idempotent per ClientRequestToken and conflicts otherwise', async () => {
      const create = { CollectionId: 'people', UserId: 'ana', ClientRequestToken: 'tok-1' };
      expect(await call('CreateUser', create)).toEqual({});
      expect(await call('CreateUser', create)).toEqual({});
      await expectError(
        'CreateUser',
        { CollectionId: 'people', UserId: 'ana', ClientRequestToken: 'tok-2' },
        'ConflictException',
      );
      await expectError(
        'CreateUser',
        { CollectionId: 'people', UserId: 'bo', ClientRequestToken: 'tok-1' },
        'IdempotentParameterMismatchException',
        /tok-1/,
      );
      await expectError(
        'CreateUser',
        { CollectionId: 'nope', UserId: 'ana' },
        'ResourceNotFoundException',
      );
      await expectError(
        'CreateUser',
        { CollectionId: 'people', UserId: 'a b' },
        'InvalidParameterException',
        /userId/i,
      );
    });

    it('ListUsers pages users in creation order with their status', async () => {
      const faceIds = seeded();
      await createUsers({ zed: [], amy: [faceIds[0]], kim: [] });
      const pages = await listAll('ListUsers', { CollectionId: 'people' }, 2);
      expect(pages.flatMap((p) => p.Users as WireObject[])).toEqual([
        { UserId: 'zed', UserStatus: 'CREATED' },
        { UserId: 'amy', UserStatus: 'ACTIVE' },
        { UserId: 'kim', UserStatus: 'CREATED' },
      ]);
      await expectError(
        'ListUsers',
        { CollectionId: 'people', MaxResults: 0 },
        'InvalidParameterException',
      );
      await expectError(
        'ListUsers',
        { CollectionId: 'people', MaxResults: 501 },
        'InvalidParameterException',
      );
    });

    it('AssociateFaces reports each face: associated, not found, other user, low match', async () => {
      const faceIds = seeded();
      await call('CreateUser', { CollectionId: 'people', UserId: 'ana' });
      await call('CreateUser', { CollectionId: 'people', UserId: 'bo' });
      const first = await call('AssociateFaces', {
        CollectionId: 'people',
        UserId: 'ana',
        FaceIds: [faceIds[0]],
      });
      expect(first).toEqual({
        AssociatedFaces: [{ FaceId: faceIds[0] }],
        UnsuccessfulFaceAssociations: [],
        UserStatus: 'ACTIVE',
      });
      await call('AssociateFaces', {
        CollectionId: 'people',
        UserId: 'bo',
        FaceIds: [faceIds[5]],
      });

      const missing = crypto.randomUUID();
      const out = await call('AssociateFaces', {
        CollectionId: 'people',
        UserId: 'ana',
        FaceIds: [faceIds[0], faceIds[1], faceIds[3], faceIds[5], missing],
      });
      expect(out.AssociatedFaces).toEqual([{ FaceId: faceIds[1] }]);
      const unsuccessful = out.UnsuccessfulFaceAssociations as WireObject[];
      expect(unsuccessful).toEqual(
        expect.arrayContaining([
          { FaceId: missing, Reasons: ['FACE_NOT_FOUND'] },
          { FaceId: faceIds[5], UserId: 'bo', Reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] },
          {
            FaceId: faceIds[3],
            Confidence: expect.any(Number),
            Reasons: ['LOW_MATCH_CONFIDENCE'],
          },
        ]),
      );
      expect(unsuccessful).toHaveLength(3);
      expect(unsuccessful.find((u) => u.FaceId === faceIds[3])?.Confidence).toBeLessThan(75);
      expect(out.UserStatus).toBe('ACTIVE');

      // A threshold of 0 accepts any face.
      const forced = await call('AssociateFaces', {
        CollectionId: 'people',
        UserId: 'ana',
        FaceIds: [faceIds[3]],
        UserMatchThreshold: 0,
      });
      expect(forced.AssociatedFaces).toEqual([{ FaceId: faceIds[3] }]);
      await expectError(
        'AssociateFaces',
        { CollectionId: 'people', UserId: 'nobody', FaceIds: [faceIds[2]] },
        'ResourceNotFoundException',
      );
      await expectError(
        'AssociateFaces',
        { CollectionId: 'people', UserId: 'ana', FaceIds: [] },
        'InvalidParameterException',
      );
    });

    it('AssociateFaces enforces 100 faces per user', async () => {
      const faceIds = seeded();
      await call('CreateUser', { CollectionId: 'people', UserId: 'many' });
      const hundred = await seedFaces(
        'people',
        Array.from({ length: 100 }, (_, i) => nearbyUnitVector(person, 0.99, 500 + i)),
      );
      await call('AssociateFaces', {
        CollectionId: 'people',
        UserId: 'many',
        FaceIds: hundred.slice(0, 99),
      });
      await expectError(
        'AssociateFaces',
        { CollectionId: 'people', UserId: 'many', FaceIds: [hundred[99], faceIds[0]] },
        'ServiceQuotaExceededException',
      );
      const listed = await call('ListFaces', { CollectionId: 'people', UserId: 'many' });
      expect((listed.Faces as unknown[]).length).toBe(99);
      await call('AssociateFaces', {
        CollectionId: 'people',
        UserId: 'many',
        FaceIds: [hundred[99]],
      });
    });

    it('AssociateFaces replays the first response for a repeated ClientRequestToken', async () => {
      const faceIds = seeded();
      await call('CreateUser', { CollectionId: 'people', UserId: 'ana' });
      const request = {
        CollectionId: 'people',
        UserId: 'ana',
        FaceIds: [faceIds[0]],
        ClientRequestToken: 'assoc-1',
      };
      const first = await call('AssociateFaces', request);
      expect(await call('AssociateFaces', request)).toEqual(first);
      await expectError(
        'AssociateFaces',
        { ...request, FaceIds: [faceIds[1]] },
        'IdempotentParameterMismatchException',
      );
    });

    it('DisassociateFaces removes faces and reports the rest', async () => {
      const faceIds = seeded();
      await createUsers({ ana: [faceIds[0], faceIds[1]], bo: [faceIds[4]] });
      const missing = crypto.randomUUID();
      const out = await call('DisassociateFaces', {
        CollectionId: 'people',
        UserId: 'ana',
        FaceIds: [faceIds[0], faceIds[4], faceIds[3], missing],
      });
      expect(out.DisassociatedFaces).toEqual([{ FaceId: faceIds[0] }]);
      expect(out.UnsuccessfulFaceDisassociations).toEqual(
        expect.arrayContaining([
          { FaceId: faceIds[4], UserId: 'bo', Reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] },
          { FaceId: missing, Reasons: ['FACE_NOT_FOUND'] },
        ]),
      );
      expect(out.UnsuccessfulFaceDisassociations).toHaveLength(2);
      expect(out.UserStatus).toBe('ACTIVE');
      const last = await call('DisassociateFaces', {
        CollectionId: 'people',
        UserId: 'ana',
        FaceIds: [faceIds[1]],
      });
      expect(last.UserStatus).toBe('CREATED');
      await expectError(
        'DisassociateFaces',
        { CollectionId: 'people', UserId: 'nobody', FaceIds: [faceIds[1]] },
        'ResourceNotFoundException',
      );
    });

    it('SearchUsers by face and by user, best first, above the threshold', async () => {
      const faceIds = seeded();
      await createUsers({ ana: [faceIds[0], faceIds[1]], stranger: [faceIds[3]] });

      const byFace = await call('SearchUsers', { CollectionId: 'people', FaceId: faceIds[2] });
      expect(byFace.SearchedFace).toEqual({ FaceId: faceIds[2] });
      expect(byFace.UserMatches).toEqual([
        { Similarity: expect.any(Number), User: { UserId: 'ana', UserStatus: 'ACTIVE' } },
      ]);
      expect((byFace.UserMatches as { Similarity: number }[])[0].Similarity).toBeGreaterThanOrEqual(
        80,
      );

      const loose = await call('SearchUsers', {
        CollectionId: 'people',
        FaceId: faceIds[2],
        UserMatchThreshold: 0,
        MaxUsers: 5,
      });
      const similarities = (loose.UserMatches as { Similarity: number }[]).map((m) => m.Similarity);
      expect(similarities).toEqual([...similarities].sort((a, b) => b - a));

      const byUser = await call('SearchUsers', {
        CollectionId: 'people',
        UserId: 'ana',
        UserMatchThreshold: 0,
      });
      expect(byUser.SearchedUser).toEqual({ UserId: 'ana' });
      expect((byUser.UserMatches as { User: WireObject }[]).map((m) => m.User.UserId)).toEqual([
        'stranger',
      ]);

      await expectError('SearchUsers', { CollectionId: 'people' }, 'InvalidParameterException');
      await expectError(
        'SearchUsers',
        { CollectionId: 'people', UserId: 'ana', FaceId: faceIds[0] },
        'InvalidParameterException',
      );
      await expectError(
        'SearchUsers',
        { CollectionId: 'people', UserId: 'ghost' },
        'ResourceNotFoundException',
      );
      await expectError(
        'SearchUsers',
        { CollectionId: 'people', FaceId: crypto.randomUUID() },
        'InvalidParameterException',
      );
    });

    it('DeleteUser frees the faces and is idempotent per token', async () => {
      const faceIds = seeded();
      await createUsers({ ana: [faceIds[0]] });
      const request = { CollectionId: 'people', UserId: 'ana', ClientRequestToken: 'del-1' };
      expect(await call('DeleteUser', request)).toEqual({});
      expect(await call('DeleteUser', request)).toEqual({});
      await expectError(
        'DeleteUser',
        { CollectionId: 'people', UserId: 'ana' },
        'ResourceNotFoundException',
      );
      const faces = await call('ListFaces', { CollectionId: 'people', FaceIds: [faceIds[0]] });
      expect((faces.Faces as WireObject[])[0].UserId).toBeUndefined();
      expect((await call('ListUsers', { CollectionId: 'people' })).Users).toEqual([]);
    });
  });
}
