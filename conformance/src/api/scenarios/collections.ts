import { expect } from 'vitest';
import { randomUnitVectors } from '../../storage/seeded-vectors.js';
import type { ApiHarness } from '../api-frontend.js';
import { beforeEach, describe, it } from '../scenario-suite.js';
import { type ApiScenarioContext, DIMENSIONS } from './scenario-context.js';

/** CreateCollection, DescribeCollection, ListCollections, DeleteCollection: ids, ARNs, pages, errors. */
export function collectionScenarios(scenario: ApiScenarioContext): void {
  const { call, expectError, collectionArn, seedFaces, listAll } = scenario;
  describe('collections', () => {
    let harness: ApiHarness;
    beforeEach(() => {
      harness = scenario.harness;
    });

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
      await expectError('DeleteCollection', { CollectionId: 'gone' }, 'ResourceNotFoundException');
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
}
