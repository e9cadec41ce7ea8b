import { describe, expect, it } from 'vitest';
import { faceQuality } from './face-quality.js';

const good = {
  heightPx: 200,
  detail: {
    Confidence: 99,
    Pose: { Yaw: 5, Pitch: -3, Roll: 0 },
    Quality: { Sharpness: 80, Brightness: 60 },
  },
};

describe('faceQuality', () => {
  it('a large, frontal, sharp, bright face scores 1 with no issues', () => {
    expect(faceQuality(good)).toEqual({ QualityScore: 1, Issues: [] });
  });

  it('names what weakens a face, worst first, and scores the weakest', () => {
    const small = faceQuality({ ...good, heightPx: 40 });
    expect(small.Issues).toEqual(['SMALL']);
    expect(small.QualityScore).toBeCloseTo((40 - 20) / (112 - 20), 3);
    const turned = faceQuality({
      heightPx: 60,
      detail: { ...good.detail, Pose: { Yaw: 70, Pitch: 0 }, Quality: { Sharpness: 5 } },
    });
    expect(turned.Issues).toEqual(['LOW_SHARPNESS', 'EXTREME_POSE', 'SMALL']);
    expect(turned.QualityScore).toBeCloseTo((5 - 3) / (30 - 3), 3);
  });

  it('a face cut off by the border is at most half as good', () => {
    const cut = faceQuality({
      ...good,
      detail: { ...good.detail, FaceOccluded: { Value: true, Confidence: 90 } },
    });
    expect(cut).toEqual({ QualityScore: 0.5, Issues: ['OCCLUDED'] });
  });
});
