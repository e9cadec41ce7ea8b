import { describe, expect, it } from 'vitest';
import { type AssociablePhoto, associatePersonFaces } from './associate-person-faces.js';

describe('associatePersonFaces', () => {
  it('associates in batches of 100, marks faces the user has, and skips refused ones', async () => {
    const photos: AssociablePhoto[] = Array.from({ length: 205 }, (_, i) => ({ faceId: `f${i}` }));
    const userOfFace = new Map([
      ['f0', 'ana'],
      ['f1', 'bob'],
    ]);
    const calls: string[][] = [];
    await associatePersonFaces(photos, 'ana', userOfFace, async (faceIds) => {
      calls.push(faceIds);
      return faceIds.includes('f1')
        ? {
            UnsuccessfulFaceAssociations: [
              { FaceId: 'f1', UserId: 'bob', Reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] },
            ],
          }
        : {};
    });
    expect(calls.map((c) => c.length)).toEqual([100, 100, 4]);
    expect(calls.flat()).not.toContain('f0');
    expect(photos[0]).toEqual({ faceId: 'f0', alreadyAssociated: true });
    expect(photos[1]).toEqual({
      faceId: undefined,
      skip: { reason: 'not associated', detail: 'ASSOCIATED_TO_A_DIFFERENT_USER user bob' },
    });
    expect(photos[2]).toEqual({ faceId: 'f2' });
  });
});
