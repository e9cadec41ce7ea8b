import { expect } from 'vitest';
import { nearbyUnitVector, randomUnitVectors } from '../../storage/seeded-vectors.js';
import type { WireObject } from '../api-frontend.js';
import { beforeEach, describe, it } from '../scenario-suite.js';
import { type ApiScenarioContext, DIMENSIONS, UUID } from './scenario-context.js';

/** ListFaces, DeleteFaces and SearchFaces over faces seeded with chosen vectors. */
export function faceScenarios(scenario: ApiScenarioContext): void {
  const { call, expectError, seedFaces, listAll } = scenario;
  describe('faces', () => {
    beforeEach(async () => {
      await call('CreateCollection', { CollectionId: 'faces' });
    });

    it('ListFaces returns stored faces in Rekognition shape, paged and filtered', async () => {
      const faceIds = await seedFaces(
        'faces',
        randomUnitVectors(5, DIMENSIONS, 4),
        'group-photo.jpg',
      );
      const pages = await listAll('ListFaces', { CollectionId: 'faces' }, 2);
      expect(pages).toHaveLength(3);
      const faces = pages.flatMap((p) => p.Faces as WireObject[]);
      expect(faces.map((f) => f.FaceId)).toEqual(faceIds);
      expect(faces[1]).toEqual({
        FaceId: faceIds[1],
        BoundingBox: { Width: 0.2, Height: 0.3, Left: 0.1, Top: 0.05 },
        ImageId: expect.stringMatching(UUID),
        ExternalImageId: 'group-photo.jpg',
        Confidence: 99.9,
        IndexFacesModelVersion: '7.0',
      });
      expect(pages[0].FaceModelVersion).toEqual(expect.any(String));

      const some = await call('ListFaces', {
        CollectionId: 'faces',
        FaceIds: [faceIds[3], faceIds[0]],
      });
      expect((some.Faces as WireObject[]).map((f) => f.FaceId)).toEqual([faceIds[0], faceIds[3]]);

      await call('CreateUser', { CollectionId: 'faces', UserId: 'ana' });
      await call('AssociateFaces', {
        CollectionId: 'faces',
        UserId: 'ana',
        FaceIds: [faceIds[2]],
        UserMatchThreshold: 0,
      });
      const ana = await call('ListFaces', { CollectionId: 'faces', UserId: 'ana' });
      expect(ana.Faces).toEqual([expect.objectContaining({ FaceId: faceIds[2], UserId: 'ana' })]);
    });

    it('ListFaces on a missing collection is ResourceNotFoundException', async () => {
      await expectError('ListFaces', { CollectionId: 'nope' }, 'ResourceNotFoundException', /nope/);
      await expectError(
        'ListFaces',
        { CollectionId: 'faces', FaceIds: ['not-a-uuid'] },
        'InvalidParameterException',
      );
    });

    it('DeleteFaces deletes and explains what it could not delete', async () => {
      const faceIds = await seedFaces('faces', randomUnitVectors(3, DIMENSIONS, 5));
      await call('CreateUser', { CollectionId: 'faces', UserId: 'owner' });
      await call('AssociateFaces', {
        CollectionId: 'faces',
        UserId: 'owner',
        FaceIds: [faceIds[1]],
      });
      const missing = crypto.randomUUID();
      const out = await call('DeleteFaces', {
        CollectionId: 'faces',
        FaceIds: [faceIds[0], faceIds[1], missing],
      });
      expect(out.DeletedFaces).toEqual([faceIds[0]]);
      expect(out.UnsuccessfulFaceDeletions).toEqual(
        expect.arrayContaining([
          { FaceId: faceIds[1], UserId: 'owner', Reasons: ['ASSOCIATED_TO_AN_EXISTING_USER'] },
          { FaceId: missing, Reasons: ['FACE_NOT_FOUND'] },
        ]),
      );
      expect((await call('DescribeCollection', { CollectionId: 'faces' })).FaceCount).toBe(2);
      await expectError(
        'DeleteFaces',
        { CollectionId: 'faces', FaceIds: [] },
        'InvalidParameterException',
      );
    });

    it('SearchFaces finds the same person, best first, without the searched face', async () => {
      const [person] = randomUnitVectors(1, DIMENSIONS, 6);
      const same = await seedFaces(
        'faces',
        [0.97, 0.9, 0.83, 0.6].map((s, i) => nearbyUnitVector(person, s, 10 + i)),
      );
      await seedFaces('faces', randomUnitVectors(20, DIMENSIONS, 7));
      const out = await call('SearchFaces', { CollectionId: 'faces', FaceId: same[0] });
      expect(out.SearchedFaceId).toBe(same[0]);
      expect(out.FaceModelVersion).toEqual(expect.any(String));
      const matches = out.FaceMatches as { Similarity: number; Face: WireObject }[];
      expect(matches.map((m) => m.Face.FaceId)).not.toContain(same[0]);
      expect(matches.length).toBeGreaterThan(0);
      for (const m of matches) expect(m.Similarity).toBeGreaterThanOrEqual(80);
      const similarities = matches.map((m) => m.Similarity);
      expect(similarities).toEqual([...similarities].sort((a, b) => b - a));
      expect(matches[0].Face).toEqual(
        expect.objectContaining({
          FaceId: expect.stringMatching(UUID),
          BoundingBox: expect.any(Object),
        }),
      );

      const loose = await call('SearchFaces', {
        CollectionId: 'faces',
        FaceId: same[0],
        FaceMatchThreshold: 0,
      });
      expect((loose.FaceMatches as unknown[]).length).toBeGreaterThan(matches.length);
      const one = await call('SearchFaces', {
        CollectionId: 'faces',
        FaceId: same[0],
        MaxFaces: 1,
        FaceMatchThreshold: 0,
      });
      expect(one.FaceMatches).toEqual([matches[0]]);
    });

    it('SearchFaces errors: unknown face, bad limits, missing collection', async () => {
      await expectError(
        'SearchFaces',
        { CollectionId: 'faces', FaceId: crypto.randomUUID() },
        'InvalidParameterException',
      );
      const [faceId] = await seedFaces('faces', randomUnitVectors(1, DIMENSIONS, 8));
      await expectError(
        'SearchFaces',
        { CollectionId: 'faces', FaceId: faceId, MaxFaces: 0 },
        'InvalidParameterException',
        /maxFaces/i,
      );
      await expectError(
        'SearchFaces',
        { CollectionId: 'faces', FaceId: faceId, MaxFaces: 4097 },
        'InvalidParameterException',
      );
      await expectError(
        'SearchFaces',
        { CollectionId: 'faces', FaceId: faceId, FaceMatchThreshold: 100.5 },
        'InvalidParameterException',
      );
      await expectError(
        'SearchFaces',
        { CollectionId: 'missing', FaceId: faceId },
        'ResourceNotFoundException',
      );
    });
  });
}
