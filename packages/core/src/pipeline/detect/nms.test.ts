import { describe, expect, it } from 'vitest';
import { iou, nms } from './nms.js';

describe('iou', () => {
  it('measures overlap over union', () => {
    const boxes = [0, 0, 10, 10, 5, 0, 15, 10, 20, 20, 30, 30, 0, 0, 0, 10];
    expect(iou(boxes, 0, 0)).toBe(1);
    expect(iou(boxes, 0, 1)).toBeCloseTo(50 / 150);
    expect(iou(boxes, 0, 2)).toBe(0);
    expect(iou(boxes, 0, 3)).toBe(0); // empty box
  });
});

describe('nms', () => {
  it('keeps the best of overlapping boxes, best first', () => {
    const boxes = [
      0,
      0,
      10,
      10, // 0
      1,
      1,
      11,
      11, // 1: overlaps 0 (IoU 0.68)
      50,
      50,
      60,
      60, // 2
      5,
      0,
      15,
      10, // 3: IoU 1/3 with 0
    ];
    const scores = [0.8, 0.9, 0.7, 0.95];
    expect(nms(boxes, scores, 0.5)).toEqual([3, 1, 2]);
    // Stricter: 1 and 0 both overlap 3 by more than 0.3.
    expect(nms(boxes, scores, 0.3)).toEqual([3, 2]);
  });

  it('keeps boxes at exactly the threshold and honours maxKeep', () => {
    const boxes = [0, 0, 10, 10, 5, 0, 15, 10];
    expect(nms(boxes, [0.9, 0.8], 1 / 3)).toEqual([0, 1]);
    expect(nms(boxes, [0.9, 0.8], 1 / 3, 1)).toEqual([0]);
    expect(nms([], [], 0.5)).toEqual([]);
  });

  it('breaks score ties by index and refuses mismatched input', () => {
    expect(nms([0, 0, 1, 1, 5, 5, 6, 6], [0.5, 0.5], 0.5)).toEqual([0, 1]);
    expect(() => nms([0, 0, 1, 1], [0.5, 0.5], 0.5)).toThrow(RangeError);
  });
});
