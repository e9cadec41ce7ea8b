import { describe, expect, it } from 'vitest';
import { meanFace68 } from '../__fixtures__/synthetic.js';
import { decodeLandmarks, fivePoints, landmarkCrop } from './landmarks.js';

describe('landmarkCrop', () => {
  const box = { x1: 100, y1: 50, x2: 180, y2: 150 }; // 80 × 100

  it('is a square of the larger side, shifted down by 10% of the box height', () => {
    expect(landmarkCrop(box)).toEqual({ x: 90, y: 60, width: 100, height: 100 });
  });

  it('can be the box itself, scaled, or moved', () => {
    expect(landmarkCrop(box, { square: false, shiftY: 0 })).toEqual({
      x: 100,
      y: 50,
      width: 80,
      height: 100,
    });
    const scaled = landmarkCrop(box, { scale: 1.2, square: true, shiftY: -0.05 });
    expect(scaled.width).toBeCloseTo(120);
    expect(scaled.x + scaled.width / 2).toBeCloseTo(140);
    expect(scaled.y + scaled.height / 2).toBeCloseTo(95);
  });
});

describe('decodeLandmarks', () => {
  it('maps crop fractions to image pixels', () => {
    const output = new Float32Array(136);
    output.set([0, 0, 1, 1, 0.5, 0.25]);
    const points = decodeLandmarks(output, { x: 10, y: 20, width: 100, height: 50 });
    expect(Array.from(points.slice(0, 6))).toEqual([10, 20, 110, 70, 60, 32.5]);
    expect(points.length).toBe(136);
  });

  it('refuses short outputs', () => {
    expect(() =>
      decodeLandmarks(new Float32Array(10), { x: 0, y: 0, width: 1, height: 1 }),
    ).toThrow(/136/);
  });
});

describe('fivePoints', () => {
  it('takes eye centres, nose tip and mouth corners', () => {
    const face = meanFace68();
    const five = fivePoints(face);
    let ex = 0;
    for (let i = 36; i <= 41; i++) ex += face[i * 2];
    expect(five[0]).toBeCloseTo(ex / 6);
    expect(five[0]).toBeLessThan(five[2]); // image-left eye first
    expect([five[4], five[5]]).toEqual([face[60], face[61]]); // point 30
    expect([five[6], five[7]]).toEqual([face[96], face[97]]); // point 48
    expect([five[8], five[9]]).toEqual([face[108], face[109]]); // point 54
  });
});
