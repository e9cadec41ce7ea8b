import { expect } from 'vitest';
import { randomUnitVectors } from '../../storage/seeded-vectors.js';
import type { WireObject } from '../api-frontend.js';
import { describe, it } from '../scenario-suite.js';
import { type ApiScenarioContext, DIMENSIONS } from './scenario-context.js';

/** Racing requests: each face and user once. */
export function concurrencyScenarios(scenario: ApiScenarioContext): void {
  const { call, seedFaces } = scenario;
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
      expect((owners.Faces as WireObject[]).every((f) => typeof f.UserId === 'string')).toBe(true);
    });
  });
}
