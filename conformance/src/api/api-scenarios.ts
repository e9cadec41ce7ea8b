import type { FaceStore, OperationName, StoredFace } from '@facekit/core';
import { expect } from 'vitest';
import { nearbyUnitVector, randomUnitVectors } from '../storage/seeded-vectors.js';
import {
  type ApiCallError,
  type ApiHarness,
  FrontendLimitation,
  isFrontendLimitation,
  type WireObject,
} from './api-frontend.js';
import {
  afterEach,
  assertOutputShape,
  beforeEach,
  defineScenarios,
  describe,
  it,
  registerWithVitest,
  type ScenarioGroup,
} from './scenario-suite.js';

const DIMENSIONS = 64;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Registers {@link apiScenarioSuite} with vitest. */
export function describeApiScenarios(frontendName: string, setup: () => Promise<ApiHarness>): void {
  registerWithVitest(apiScenarioSuite(frontendName, setup));
}

/**
 * Rekognition's control-plane behaviour, written once in wire JSON and run against every
 * frontend, under vitest or the `facekit-conformance` command. Every successful response is also
 * checked against the API model's output shape. Scenarios that seed faces with chosen vectors
 * need the harness's store; without one they are skipped.
 */
export function apiScenarioSuite(
  frontendName: string,
  setup: () => Promise<ApiHarness>,
): ScenarioGroup {
  return defineScenarios(`Rekognition API scenarios: ${frontendName}`, () => {
    let harness: ApiHarness;
    let store: FaceStore | undefined;

    beforeEach(async () => {
      harness = await setup();
      store = harness.store;
    });
    afterEach(async () => {
      await harness.close();
    });

    /** Calls the operation and checks the response against the model's output shape. */
    async function call(operation: OperationName, input: WireObject): Promise<WireObject> {
      const output = await harness.frontend.call(operation, input);
      assertOutputShape(operation, output);
      return output;
    }

    async function callError(operation: OperationName, input: WireObject): Promise<ApiCallError> {
      const error = await harness.frontend.call(operation, input).then(
        (output) => {
          throw new Error(`${operation} succeeded unexpectedly: ${JSON.stringify(output)}`);
        },
        (e: ApiCallError) => {
          if (isFrontendLimitation(e)) throw e;
          return e;
        },
      );
      expect(typeof error.name).toBe('string');
      return error;
    }

    async function expectError(
      operation: OperationName,
      input: WireObject,
      name: string,
      message?: RegExp,
    ): Promise<ApiCallError> {
      const error = await callError(operation, input);
      expect(`${error.name}: ${error.message}`).toMatch(new RegExp(`^${name}: `));
      if (message) expect(error.message).toMatch(message);
      if (error.httpStatus !== undefined) {
        const serverFault = name === 'InternalServerError' || name === 'ThrottlingException';
        expect(error.httpStatus).toBe(serverFault ? 500 : 400);
      }
      return error;
    }

    const collectionArn = (id: string) =>
      `arn:aws:rekognition:${harness.region}:${harness.accountId}:collection/${id}`;

    /** Puts faces straight into the store: IndexFaces needs the pipeline, which is not here yet. */
    async function seedFaces(
      collectionId: string,
      vectors: Float32Array[],
      externalImageId?: string,
    ) {
      if (!store) {
        throw new FrontendLimitation(
          'seeds faces with chosen vectors, which needs direct access to the store',
        );
      }
      const faces: StoredFace[] = vectors.map((vector, i) => ({
        faceId: crypto.randomUUID(),
        imageId: crypto.randomUUID(),
        ...(externalImageId ? { externalImageId } : {}),
        boundingBox: { width: 0.2, height: 0.3, left: 0.1 * i, top: 0.05 },
        confidence: 99.9,
        indexFacesModelVersion: '7.0',
        createdAt: Date.now(),
        vector,
      }));
      await store.putFaces(collectionId, faces);
      return faces.map((f) => f.faceId);
    }

    async function listAll(
      operation: 'ListCollections' | 'ListFaces' | 'ListUsers',
      input: WireObject,
      pageSize: number,
    ): Promise<WireObject[]> {
      const pages: WireObject[] = [];
      let NextToken: string | undefined;
      do {
        const page = await call(operation, {
          ...input,
          MaxResults: pageSize,
          ...(NextToken ? { NextToken } : {}),
        });
        pages.push(page);
        NextToken = page.NextToken as string | undefined;
        if (NextToken) expect(NextToken.length).toBeLessThanOrEqual(255);
      } while (NextToken && pages.length < 100);
      return pages;
    }

    describe('collections', () => {
      it('CreateCollection returns status, ARN and model version', async () => {
        const out = await call('CreateCollection', { CollectionId: 'my.photos_1-a' });
        expect(out).toEqual({
          StatusCode: 200,
          CollectionArn: `aws:rekognition:${harness.region}:${harness.accountId}:collection/my.photos_1-a`,
          FaceModelVersion: expect.stringMatching(/^[0-9.]+$/),
        });
      });

      it('CreateCollection refuses an existing id (case-sensitive)', async () => {
        await call('CreateCollection', { CollectionId: 'Family' });
        await expectError(
          'CreateCollection',
          { CollectionId: 'Family' },
          'ResourceAlreadyExistsException',
          /The collection id: Family already exists/,
        );
        await call('CreateCollection', { CollectionId: 'family' });
      });

      it('DescribeCollection reports counts, ARN and creation time in epoch seconds', async () => {
        const before = Date.now() / 1000;
        await call('CreateCollection', { CollectionId: 'described' });
        await seedFaces('described', randomUnitVectors(3, DIMENSIONS, 1));
        await call('CreateUser', { CollectionId: 'described', UserId: 'u1' });
        const out = await call('DescribeCollection', { CollectionId: 'described' });
        expect(out).toEqual({
          FaceCount: 3,
          UserCount: 1,
          FaceModelVersion: expect.any(String),
          CollectionARN: collectionArn('described'),
          CreationTimestamp: expect.any(Number),
        });
        expect(out.CreationTimestamp as number).toBeGreaterThanOrEqual(Math.floor(before) - 1);
        expect(out.CreationTimestamp as number).toBeLessThanOrEqual(Date.now() / 1000 + 1);
      });

      it('DeleteCollection returns 200 and removes the collection and its faces', async () => {
        await call('CreateCollection', { CollectionId: 'gone' });
        await seedFaces('gone', randomUnitVectors(2, DIMENSIONS, 2));
        expect(await call('DeleteCollection', { CollectionId: 'gone' })).toEqual({
          StatusCode: 200,
        });
        await expectError(
          'DescribeCollection',
          { CollectionId: 'gone' },
          'ResourceNotFoundException',
          /gone/,
        );
        await expectError(
          'DeleteCollection',
          { CollectionId: 'gone' },
          'ResourceNotFoundException',
        );
        await call('CreateCollection', { CollectionId: 'gone' });
        expect((await call('ListFaces', { CollectionId: 'gone' })).Faces).toEqual([]);
      });

      it('ListCollections pages with parallel id and version arrays', async () => {
        const ids = ['c-one', 'c-two', 'c-three', 'c-four', 'c-five'];
        for (const CollectionId of ids) await call('CreateCollection', { CollectionId });
        const pages = await listAll('ListCollections', {}, 2);
        expect(pages).toHaveLength(3);
        expect(pages.flatMap((p) => p.CollectionIds as string[])).toEqual(ids);
        for (const page of pages) {
          expect((page.FaceModelVersions as string[]).length).toBe(
            (page.CollectionIds as string[]).length,
          );
        }
        expect(pages[2].NextToken).toBeUndefined();
        const all = await call('ListCollections', {});
        expect(all.CollectionIds).toEqual(ids);
        expect(all.NextToken).toBeUndefined();
      });

      it('rejects pagination tokens that are forged or belong to another listing', async () => {
        for (const CollectionId of ['p1', 'p2']) await call('CreateCollection', { CollectionId });
        await seedFaces('p1', randomUnitVectors(3, DIMENSIONS, 3));
        const facesPage = await call('ListFaces', { CollectionId: 'p1', MaxResults: 1 });
        expect(facesPage.NextToken).toEqual(expect.any(String));
        await expectError(
          'ListCollections',
          { NextToken: 'garbage!' },
          'InvalidPaginationTokenException',
        );
        await expectError(
          'ListCollections',
          { NextToken: facesPage.NextToken },
          'InvalidPaginationTokenException',
        );
        await expectError(
          'ListFaces',
          { CollectionId: 'p2', NextToken: facesPage.NextToken },
          'InvalidPaginationTokenException',
        );
      });

      it('validates every member against the model', async () => {
        await expectError('CreateCollection', {}, 'InvalidParameterException', /collectionId/i);
        await expectError(
          'CreateCollection',
          { CollectionId: 'has space' },
          'InvalidParameterException',
          /collectionId.*pattern/is,
        );
        await expectError(
          'CreateCollection',
          { CollectionId: 'x'.repeat(256) },
          'InvalidParameterException',
          /length/,
        );
        await expectError(
          'ListCollections',
          { MaxResults: 4097 },
          'InvalidParameterException',
          /maxResults/i,
        );
        await expectError('ListCollections', { MaxResults: 'ten' }, 'InvalidParameterException');
        await expectError(
          'CreateCollection',
          { CollectionId: 'ok', Tags: { 'aws:reserved': 'x' } },
          'InvalidParameterException',
        );
        expect((await call('ListCollections', {})).CollectionIds).toEqual([]);
      });

      it('rejects members the model does not have and malformed blobs', async (context) => {
        // SDKs drop unknown members and encode blobs themselves: only raw frontends can send these.
        if (!harness.frontend.sendsRawInput) context.skip();
        await expectError(
          'CreateCollection',
          { CollectionId: 'ok', Surprise: true },
          'InvalidParameterException',
          /Surprise/,
        );
        await expectError(
          'DetectFaces',
          { Image: { Bytes: 'not base64!' } },
          'InvalidParameterException',
          /base64/,
        );
        expect((await call('ListCollections', {})).CollectionIds).toEqual([]);
      });
    });

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
        await expectError(
          'ListFaces',
          { CollectionId: 'nope' },
          'ResourceNotFoundException',
          /nope/,
        );
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

    describe('users', () => {
      let seededFaceIds: string[] | undefined;
      let person: Float32Array;
      beforeEach(async () => {
        await call('CreateCollection', { CollectionId: 'people' });
        [person] = randomUnitVectors(1, DIMENSIONS, 9);
        // Without a store the scenarios that use these faces skip; the others still run.
        seededFaceIds = store
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

      it('CreateUser is idempotent per ClientRequestToken and conflicts otherwise', async () => {
        expect(
          await call('CreateUser', {
            CollectionId: 'people',
            UserId: 'ana',
            ClientRequestToken: 'tok-1',
          }),
        ).toEqual({});
        expect(
          await call('CreateUser', {
            CollectionId: 'people',
            UserId: 'ana',
            ClientRequestToken: 'tok-1',
          }),
        ).toEqual({});
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
        for (const UserId of ['zed', 'amy', 'kim'])
          await call('CreateUser', { CollectionId: 'people', UserId });
        await call('AssociateFaces', {
          CollectionId: 'people',
          UserId: 'amy',
          FaceIds: [faceIds[0]],
        });
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
        await call('CreateUser', { CollectionId: 'people', UserId: 'ana' });
        await call('CreateUser', { CollectionId: 'people', UserId: 'bo' });
        await call('AssociateFaces', {
          CollectionId: 'people',
          UserId: 'ana',
          FaceIds: [faceIds[0], faceIds[1]],
        });
        await call('AssociateFaces', {
          CollectionId: 'people',
          UserId: 'bo',
          FaceIds: [faceIds[4]],
        });
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
        await call('CreateUser', { CollectionId: 'people', UserId: 'ana' });
        await call('CreateUser', { CollectionId: 'people', UserId: 'stranger' });
        await call('AssociateFaces', {
          CollectionId: 'people',
          UserId: 'ana',
          FaceIds: [faceIds[0], faceIds[1]],
        });
        await call('AssociateFaces', {
          CollectionId: 'people',
          UserId: 'stranger',
          FaceIds: [faceIds[3]],
        });

        const byFace = await call('SearchUsers', { CollectionId: 'people', FaceId: faceIds[2] });
        expect(byFace.SearchedFace).toEqual({ FaceId: faceIds[2] });
        expect(byFace.UserMatches).toEqual([
          { Similarity: expect.any(Number), User: { UserId: 'ana', UserStatus: 'ACTIVE' } },
        ]);
        expect(
          (byFace.UserMatches as { Similarity: number }[])[0].Similarity,
        ).toBeGreaterThanOrEqual(80);

        const loose = await call('SearchUsers', {
          CollectionId: 'people',
          FaceId: faceIds[2],
          UserMatchThreshold: 0,
          MaxUsers: 5,
        });
        const similarities = (loose.UserMatches as { Similarity: number }[]).map(
          (m) => m.Similarity,
        );
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
        await call('CreateUser', { CollectionId: 'people', UserId: 'ana' });
        await call('AssociateFaces', {
          CollectionId: 'people',
          UserId: 'ana',
          FaceIds: [faceIds[0]],
        });
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

    describe('tags', () => {
      it('tags a collection by ARN, lists and removes tags', async () => {
        await call('CreateCollection', { CollectionId: 'tagged', Tags: { team: 'vision' } });
        const arn = (await call('DescribeCollection', { CollectionId: 'tagged' }))
          .CollectionARN as string;
        expect(
          await call('TagResource', { ResourceArn: arn, Tags: { env: 'prod', team: 'faces' } }),
        ).toEqual({});
        expect(await call('ListTagsForResource', { ResourceArn: arn })).toEqual({
          Tags: { env: 'prod', team: 'faces' },
        });
        expect(
          await call('UntagResource', { ResourceArn: arn, TagKeys: ['team', 'absent'] }),
        ).toEqual({});
        expect(await call('ListTagsForResource', { ResourceArn: arn })).toEqual({
          Tags: { env: 'prod' },
        });
      });

      it('refuses unknown resources, reserved keys and too many tags', async () => {
        await call('CreateCollection', { CollectionId: 'tagged' });
        const arn = collectionArn('tagged');
        await expectError(
          'ListTagsForResource',
          { ResourceArn: collectionArn('missing') },
          'ResourceNotFoundException',
        );
        await expectError(
          'ListTagsForResource',
          { ResourceArn: 'arn:aws:s3:::some-bucket-name' },
          'ResourceNotFoundException',
        );
        await expectError(
          'TagResource',
          { ResourceArn: arn, Tags: { 'aws:x': 'y' } },
          'InvalidParameterException',
        );
        const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
        await expectError(
          'TagResource',
          { ResourceArn: arn, Tags: many },
          'ServiceQuotaExceededException',
        );
        expect(await call('ListTagsForResource', { ResourceArn: arn })).toEqual({ Tags: {} });
      });
    });

    describe('concurrency', () => {
      it('serves many concurrent writers without losing or duplicating anything', async () => {
        await call('CreateCollection', { CollectionId: 'busy' });
        const faceIds = await seedFaces('busy', randomUnitVectors(40, DIMENSIONS, 11));
        const users = Array.from({ length: 8 }, (_, i) => `user-${i}`);
        await Promise.all(
          users.map((UserId) => call('CreateUser', { CollectionId: 'busy', UserId })),
        );
        // Every user tries to claim every face: each face must end up with exactly one owner.
        const results = await Promise.all(
          users.map((UserId) =>
            call('AssociateFaces', {
              CollectionId: 'busy',
              UserId,
              FaceIds: faceIds.slice(0, 10),
              UserMatchThreshold: 0,
            }),
          ),
        );
        const claimed = results.flatMap((r) =>
          (r.AssociatedFaces as WireObject[]).map((f) => f.FaceId),
        );
        expect(claimed.sort()).toEqual(faceIds.slice(0, 10).sort());
        const owners = await call('ListFaces', {
          CollectionId: 'busy',
          FaceIds: faceIds.slice(0, 10),
        });
        expect((owners.Faces as WireObject[]).every((f) => typeof f.UserId === 'string')).toBe(
          true,
        );
      });
    });

    describe('image operations', () => {
      it('validate their input before anything else', async () => {
        await call('CreateCollection', { CollectionId: 'img' });
        await expectError(
          'IndexFaces',
          { CollectionId: 'img' },
          'InvalidParameterException',
          /image/i,
        );
        await expectError(
          'IndexFaces',
          { CollectionId: 'img', Image: { Bytes: 'AAAA' }, MaxFaces: 0 },
          'InvalidParameterException',
        );
        await expectError(
          'SearchFacesByImage',
          { CollectionId: 'nope', Image: { Bytes: 'AAAA' } },
          'ResourceNotFoundException',
        );
      });
    });

    describe('image operations on photos', () => {
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
  });
}
