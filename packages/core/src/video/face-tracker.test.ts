import { describe, expect, it } from 'vitest';
import { linearSimilarityScale } from '../analysis/similarity-scale.js';
import { FaceTracker, iou } from './face-tracker.js';

/** A unit vector mostly along axis `axis`, tilted by `noise` towards axis 7. */
function face(axis: number, noise = 0, noiseAxis = 7): Float32Array {
  const v = new Float32Array(8);
  v[axis] = Math.sqrt(1 - noise * noise);
  v[noiseAxis] = noise;
  return v;
}
const box = (Left: number, Top = 0.2) => ({ Left, Top, Width: 0.2, Height: 0.3 });

describe('FaceTracker', () => {
  it('keeps a moving face as one person and tells two people apart', () => {
    const tracker = new FaceTracker({ similarity: linearSimilarityScale });
    expect(tracker.assign(0, [{ box: box(0.1), embedding: face(0) }])).toEqual([0]);
    expect(
      tracker.assign(500, [
        { box: box(0.6), embedding: face(1) },
        { box: box(0.15), embedding: face(0, 0.3) },
      ]),
    ).toEqual([1, 0]);
    expect(tracker.persons().map((p) => [p.index, p.sightings, p.firstMs, p.lastMs])).toEqual([
      [0, 2, 0, 500],
      [1, 1, 500, 500],
    ]);
  });

  it('gives a person their index back after a cut, by likeness alone', () => {
    const tracker = new FaceTracker({ similarity: linearSimilarityScale });
    tracker.assign(0, [{ box: box(0.1), embedding: face(0) }]);
    tracker.assign(500, [{ box: box(0.5), embedding: face(1) }]);
    // Far away, much later: still person 0 (similarity 95 ≥ 80).
    expect(tracker.assign(10_000, [{ box: box(0.7, 0.6), embedding: face(0, 0.3) }])).toEqual([0]);
  });

  it('needs overlap to accept a weaker likeness, and overlap alone is not enough', () => {
    const tracker = new FaceTracker({ similarity: linearSimilarityScale });
    tracker.assign(0, [{ box: box(0.1), embedding: face(0) }]);
    // cos 0.6 (60%): continues the overlapping person...
    expect(tracker.assign(500, [{ box: box(0.12), embedding: face(0, 0.8) }])).toEqual([0]);
    // ...but not one far away, nor an unlike face in the same place.
    expect(tracker.assign(1000, [{ box: box(0.7), embedding: face(0, 0.8, 6) }])[0]).toBe(1);
    expect(tracker.assign(1500, [{ box: box(0.12), embedding: face(3) }])[0]).toBe(2);
  });

  it('after a cut, overlap no longer counts: only clear likeness continues a person', () => {
    const tracker = new FaceTracker({ similarity: linearSimilarityScale });
    tracker.assign(0, [{ box: box(0.1), embedding: face(0) }]);
    const weak = { box: box(0.12), embedding: face(0, 0.8) }; // 60%: enough with overlap only
    expect(tracker.assign(500, [weak], { afterCut: true })).toEqual([1]);
    const clear = { box: box(0.7), embedding: face(0, 0.3) }; // 95%
    expect(tracker.assign(1000, [clear], { afterCut: true })).toEqual([0]);
  });

  it('gives each person at most one face per frame', () => {
    const tracker = new FaceTracker({ similarity: linearSimilarityScale });
    tracker.assign(0, [{ box: box(0.1), embedding: face(0) }]);
    const twins = tracker.assign(500, [
      { box: box(0.6), embedding: face(0) },
      { box: box(0.1), embedding: face(0) },
    ]);
    expect(twins).toEqual([1, 0]);
  });
});

describe('iou', () => {
  it('is 1 for the same box, 0 apart, and the overlap ratio between', () => {
    expect(iou(box(0.1), box(0.1))).toBeCloseTo(1);
    expect(iou(box(0.1), box(0.5))).toBe(0);
    expect(iou(box(0), box(0.1))).toBeCloseTo(0.1 / 0.3);
  });
});
