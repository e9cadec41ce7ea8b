import { expect } from 'vitest';
import { describe, it } from '../scenario-suite.js';
import type { ApiScenarioContext } from './scenario-context.js';

/** TagResource, UntagResource, ListTagsForResource. */
export function tagScenarios(scenario: ApiScenarioContext): void {
  const { call, expectError, collectionArn } = scenario;
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
}
