import { describe, expect, it } from 'vitest';
import { clusterIdentities, identityPairs } from './identity-clusters.js';

const yes = (a: string, b: string) => ({ a, b, same: true });
const no = (a: string, b: string) => ({ a, b, same: false });

describe('identity clusters', () => {
  // Person X is split in two clusters ({x1,x2} and {x3}) because no "Yes" pair joins them.
  const pairs = [yes('x1', 'x2'), yes('y1', 'y2'), yes('y2', 'y3'), no('x1', 'y1'), no('x3', 'z1')];

  it('unions "Yes" pairs and links clusters only through "No" labels', () => {
    const ids = clusterIdentities(pairs);
    expect(ids.clusters).toEqual([['y1', 'y2', 'y3'], ['x1', 'x2'], ['x3'], ['z1']]);
    expect(ids.linked).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(ids.contradictions).toEqual([]);
  });

  it('never pairs clusters that may be one person', () => {
    const { positives, negatives } = identityPairs(clusterIdentities(pairs));
    expect(positives).toHaveLength(3 + 1);
    expect(negatives).toHaveLength(3 * 2 + 1);
    // x2 and x3 are the same person split in two: never a negative.
    expect(negatives.some(([a, b]) => [a, b].sort().join() === 'x2,x3')).toBe(false);
    expect(negatives).toContainEqual(['y3', 'x2']);
  });

  it('drops images without a face and reports contradicting labels', () => {
    const ids = clusterIdentities([...pairs, no('y1', 'y3')]);
    expect(ids.contradictions).toEqual([no('y1', 'y3')]);
    const { positives, negatives } = identityPairs(ids, (image) => image !== 'y2');
    expect(positives).toEqual([
      ['y1', 'y3'],
      ['x1', 'x2'],
    ]);
    expect(negatives).toHaveLength(2 * 2 + 1);
  });
});
