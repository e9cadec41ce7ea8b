import { describe, it } from '../scenario-suite.js';
import type { ApiScenarioContext } from './scenario-context.js';

/** Image operations validate their input before analysing anything. */
export function imageValidationScenarios(scenario: ApiScenarioContext): void {
  const { call, expectError } = scenario;
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
}
