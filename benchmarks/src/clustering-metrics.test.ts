import { describe, expect, it } from 'vitest';
import { scoreClustering } from './clustering-metrics.js';

describe('scoreClustering', () => {
  it('is perfect for the truth itself', () => {
    expect(scoreClustering([0, 0, 1, 2], [5, 5, 7, 9])).toMatchObject({
      bcubedPrecision: 1,
      bcubedRecall: 1,
      pairwisePrecision: 1,
      pairwiseRecall: 1,
      clusters: 3,
      identities: 3,
    });
  });

  it('scores a merge of two people and a split of one (worked by hand)', () => {
    // Truth: A A B | C C. Predicted: {A A B} {C} {C}.
    const s = scoreClustering([0, 0, 0, 1, 2], [0, 0, 1, 2, 2]);
    // Precision per item: 2/3 2/3 1/3 1 1 → 11/15; recall: 1 1 1 1/2 1/2 → 4/5.
    expect(s.bcubedPrecision).toBeCloseTo(11 / 15, 10);
    expect(s.bcubedRecall).toBeCloseTo(4 / 5, 10);
    // Pairs together: 3, right: 1 (A-A); same-identity pairs: 2 (A-A, C-C).
    expect(s.pairwisePrecision).toBeCloseTo(1 / 3, 10);
    expect(s.pairwiseRecall).toBeCloseTo(1 / 2, 10);
  });
});
