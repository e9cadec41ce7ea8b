import { describe, expect, it } from 'vitest';
import type { FaceBox } from './detection.js';
import { fuseDetections } from './fuse-detections.js';

const face = (x1: number, y1: number, x2: number, y2: number, score: number): FaceBox => ({
  x1,
  y1,
  x2,
  y2,
  score,
});

describe('fuseDetections', () => {
  it('keeps a face one pass accepts alone, once, best score first', () => {
    const faces = fuseDetections([
      { boxes: [face(0, 0, 40, 40, 0.75), face(100, 100, 140, 140, 0.95)], scoreThreshold: 0.7 },
      { boxes: [face(1, 1, 41, 41, 0.6)], scoreThreshold: 0.8 },
    ]);
    expect(faces.map((f) => f.score)).toEqual([0.95, 0.75]);
  });

  it('keeps a weak face two passes agree on, and drops one a single pass saw', () => {
    const faces = fuseDetections([
      { boxes: [face(0, 0, 40, 40, 0.6), face(200, 200, 240, 240, 0.65)], scoreThreshold: 0.7 },
      { boxes: [face(2, 2, 42, 42, 0.55)], scoreThreshold: 0.8 },
      { boxes: [face(202, 202, 242, 242, 0.3)], scoreThreshold: 0.8 },
    ]);
    expect(faces).toHaveLength(1);
    expect(faces[0].score).toBe(0.6);
  });

  it('does not count two candidates of the same pass as agreement', () => {
    const faces = fuseDetections([
      { boxes: [face(0, 0, 40, 40, 0.6), face(2, 0, 42, 40, 0.55)], scoreThreshold: 0.7 },
    ]);
    expect(faces).toEqual([]);
  });

  it('averages close members by score and leaves distant ones out of the box', () => {
    const [f] = fuseDetections([
      { boxes: [face(0, 0, 40, 40, 0.9)], scoreThreshold: 0.7 },
      { boxes: [face(4, 0, 44, 40, 0.6)], scoreThreshold: 0.8 },
      { boxes: [face(15, 0, 55, 40, 0.9)], scoreThreshold: 0.8 }, // IoU 0.45: grouped, not averaged
    ]);
    expect(f.x1).toBeCloseTo((0.9 * 0 + 0.6 * 4) / 1.5);
    expect(f.x2).toBeCloseTo((0.9 * 40 + 0.6 * 44) / 1.5);
    expect(f.score).toBe(0.9);
  });

  it('applies minSize and containment like mergeDetections', () => {
    const faces = fuseDetections(
      [
        {
          boxes: [
            face(0, 0, 100, 100, 0.9),
            face(10, 10, 40, 40, 0.95),
            face(300, 300, 304, 304, 0.99),
          ],
          scoreThreshold: 0.7,
        },
      ],
      { fuseIou: 1 },
    );
    expect(faces).toEqual([face(0, 0, 100, 100, 0.9)]);
  });
});
