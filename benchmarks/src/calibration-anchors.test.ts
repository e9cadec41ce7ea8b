import { describe, expect, it } from 'vitest';
import { proposeAnchors } from './calibration-anchors.js';

describe('calibration anchors', () => {
  // 2,000 negatives evenly spread over [0, 0.4), positives over [0.5, 0.9].
  const negatives = Array.from({ length: 2000 }, (_, i) => (i / 2000) * 0.4);
  const positives = Array.from({ length: 101 }, (_, i) => 0.5 + (i / 100) * 0.4);

  it('puts 50 at FAR 10%, 80 at FAR 0.1%, 90 above every negative, 99 at the median positive', () => {
    const p = proposeAnchors(negatives, positives);
    expect(p.measured.far10).toBeCloseTo(0.36, 3);
    expect(p.measured.far001).toBeCloseTo(0.3992, 3);
    expect(p.measured.maxNegative).toBeCloseTo(0.3998, 6);
    expect(p.measured.medianPositive).toBeCloseTo(0.7, 9);
    expect(p.anchors).toEqual([
      [0.36, 50],
      [0.4, 80],
      [0.45, 90],
      [0.7, 99],
    ]);
    expect(p.far001Resolvable).toBe(true);
    expect(p.notes).toEqual([]);
  });

  it('shrinks the 90 margin when the median positive is close to the negatives', () => {
    // Highest negative 0.3998 + 0.05 lies above the median positive 0.43.
    const p = proposeAnchors(negatives, [0.41, 0.43, 0.6]);
    expect(p.anchors).toEqual([
      [0.36, 50],
      [0.4, 80],
      [0.415, 90],
      [0.43, 99],
    ]);
    expect(p.notes).toHaveLength(1);
    expect(p.notes[0]).toMatch(/^90 .* moved halfway between 0.4 and 0.43, to 0.415/);
  });

  it('keeps anchors strictly increasing when distributions overlap, and says so', () => {
    const p = proposeAnchors(negatives.slice(0, 500), [0.05, 0.1, 0.12]);
    expect(p.far001Resolvable).toBe(false);
    const cosines = p.anchors.map(([c]) => c);
    for (let i = 1; i < cosines.length; i++) expect(cosines[i]).toBeGreaterThan(cosines[i - 1]);
    expect(p.anchors[3]).toEqual([0.151, 99]);
    expect(p.notes).toHaveLength(1);
    expect(p.notes[0]).toMatch(/^99 at cosine 0.1 is not above the 90 anchor \(0.15\)/);
  });
});
