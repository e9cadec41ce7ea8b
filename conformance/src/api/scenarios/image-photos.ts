import { expect } from 'vitest';
import { type ApiHarness, FrontendLimitation, type WireObject } from '../api-frontend.js';
import { beforeEach, describe, it } from '../scenario-suite.js';
import { type ApiScenarioContext, UUID } from './scenario-context.js';

/** The image operations on real photos (skipped when the harness has none). */
export function photoScenarios(scenario: ApiScenarioContext): void {
  const { call } = scenario;
  describe('image operations on photos', () => {
    let harness: ApiHarness;
    beforeEach(() => {
      harness = scenario.harness;
    });

    /** The harness's photo, as wire base64; skips the scenario when the harness has none. */
    function photo(name: string): WireObject {
      const bytes = harness.photos?.[name];
      if (!bytes) throw new FrontendLimitation(`needs the sample photo ${name}`);
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) {
        binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      }
      return { Bytes: btoa(binary) };
    }

    type FaceRecord = { Face: WireObject; FaceDetail: WireObject };

    /** Indexes sample1.jpg (several people) into `photos`; returns its face ids. */
    async function indexGroupPhoto(): Promise<string[]> {
      const image = photo('sample1.jpg');
      await call('CreateCollection', { CollectionId: 'photos' });
      const out = await call('IndexFaces', {
        CollectionId: 'photos',
        Image: image,
        ExternalImageId: 'sample1.jpg',
        MaxFaces: 5,
      });
      const records = out.FaceRecords as FaceRecord[];
      expect(records.length).toBeGreaterThan(0);
      return records.map((r) => r.Face.FaceId as string);
    }

    it('IndexFaces, ListFaces, DescribeCollection and DeleteFaces agree', async () => {
      const image = photo('sample1.jpg');
      await call('CreateCollection', { CollectionId: 'photos' });
      const out = await call('IndexFaces', {
        CollectionId: 'photos',
        Image: image,
        ExternalImageId: 'sample1.jpg',
        DetectionAttributes: ['DEFAULT'],
      });
      const records = out.FaceRecords as FaceRecord[];
      expect(records.length).toBeGreaterThan(0);
      expect(out.FaceModelVersion).toEqual(expect.any(String));
      const imageIds = new Set(records.map((r) => r.Face.ImageId));
      expect(imageIds.size).toBe(1);
      for (const { Face, FaceDetail } of records) {
        expect(Face).toEqual(
          expect.objectContaining({
            FaceId: expect.stringMatching(UUID),
            ExternalImageId: 'sample1.jpg',
            BoundingBox: FaceDetail.BoundingBox,
            Confidence: expect.any(Number),
          }),
        );
      }
      const faceIds = records.map((r) => r.Face.FaceId as string);
      const listed = (await call('ListFaces', { CollectionId: 'photos' })).Faces as WireObject[];
      expect(listed.map((f) => f.FaceId).sort()).toEqual([...faceIds].sort());
      const described = await call('DescribeCollection', { CollectionId: 'photos' });
      expect(described.FaceCount).toBe(faceIds.length);

      const deleted = await call('DeleteFaces', {
        CollectionId: 'photos',
        FaceIds: [faceIds[0]],
      });
      expect(deleted.DeletedFaces).toEqual([faceIds[0]]);
      const after = (await call('ListFaces', { CollectionId: 'photos' })).Faces as WireObject[];
      expect(after.map((f) => f.FaceId)).not.toContain(faceIds[0]);
      expect(after).toHaveLength(faceIds.length - 1);
    });

    it("SearchFacesByImage finds the photo's own face; SearchFaces never returns itself", async () => {
      const faceIds = await indexGroupPhoto();
      const byImage = await call('SearchFacesByImage', {
        CollectionId: 'photos',
        Image: photo('sample1.jpg'),
        FaceMatchThreshold: 90,
      });
      expect(byImage.SearchedFaceBoundingBox).toEqual(expect.any(Object));
      expect(byImage.SearchedFaceConfidence).toEqual(expect.any(Number));
      const matches = byImage.FaceMatches as { Similarity: number; Face: WireObject }[];
      expect(matches.length).toBeGreaterThan(0);
      expect(faceIds).toContain(matches[0].Face.FaceId);
      expect(matches[0].Similarity).toBeGreaterThanOrEqual(90);

      const byFace = await call('SearchFaces', { CollectionId: 'photos', FaceId: faceIds[0] });
      expect(byFace.SearchedFaceId).toBe(faceIds[0]);
      const found = (byFace.FaceMatches as { Face: WireObject }[]).map((m) => m.Face.FaceId);
      expect(found).not.toContain(faceIds[0]);
    });

    it('DetectFaces and CompareFaces: the person of sample3.jpg is in sample1.jpg', async () => {
      const detected = await call('DetectFaces', { Image: photo('sample1.jpg') });
      const details = detected.FaceDetails as WireObject[];
      expect(details.length).toBeGreaterThan(0);
      for (const detail of details) {
        expect(detail).toEqual(
          expect.objectContaining({
            BoundingBox: expect.any(Object),
            Confidence: expect.any(Number),
          }),
        );
      }
      const compared = await call('CompareFaces', {
        SourceImage: photo('sample3.jpg'),
        TargetImage: photo('sample1.jpg'),
        SimilarityThreshold: 80,
      });
      expect(compared.SourceImageFace).toEqual(
        expect.objectContaining({ BoundingBox: expect.any(Object) }),
      );
      expect((compared.FaceMatches as unknown[]).length).toBeGreaterThanOrEqual(1);
    });

    it('users from photos: AssociateFaces, SearchUsers and SearchUsersByImage', async () => {
      await indexGroupPhoto();
      const search = await call('SearchFacesByImage', {
        CollectionId: 'photos',
        Image: photo('sample3.jpg'),
        FaceMatchThreshold: 80,
      });
      const [best] = search.FaceMatches as { Face: WireObject }[];
      expect(best, 'the person of sample3.jpg is in sample1.jpg').toBeDefined();
      const faceId = best.Face.FaceId as string;
      await call('CreateUser', { CollectionId: 'photos', UserId: 'sample3-person' });
      const associated = await call('AssociateFaces', {
        CollectionId: 'photos',
        UserId: 'sample3-person',
        FaceIds: [faceId],
      });
      expect(associated.AssociatedFaces).toEqual([{ FaceId: faceId }]);
      // Rekognition reports UPDATING while it rebuilds the user vector; facekit is synchronous.
      expect(associated.UserStatus).toMatch(/^(ACTIVE|UPDATING)$/);
      const byImage = await call('SearchUsersByImage', {
        CollectionId: 'photos',
        Image: photo('sample3.jpg'),
      });
      expect(byImage.SearchedFace).toEqual(expect.any(Object));
      expect((byImage.UserMatches as { User: WireObject }[])[0]?.User.UserId).toBe(
        'sample3-person',
      );
    });
  });
}
