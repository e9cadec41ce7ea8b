import { describe, expect, it } from 'vitest';
import { meanFace68 } from '../__fixtures__/synthetic.js';
import { REKOGNITION_LANDMARKS, toRekognitionLandmarks } from './rekognition-landmarks.js';

/** The mean face placed in a 400×200 image, 100 px wide, at (150, 50). */
function points(): Float32Array {
  const face = meanFace68();
  for (let i = 0; i < 68; i++) {
    face[i * 2] = 150 + face[i * 2] * 100;
    face[i * 2 + 1] = 50 + face[i * 2 + 1] * 100;
  }
  return face;
}

describe('toRekognitionLandmarks', () => {
  it('returns the 5 DEFAULT landmarks as image ratios', () => {
    const p = points();
    const marks = toRekognitionLandmarks(p, 400, 200, 'default');
    expect(marks.map((m) => m.Type)).toEqual([
      'eyeLeft',
      'eyeRight',
      'mouthLeft',
      'mouthRight',
      'nose',
    ]);
    const nose = marks[4];
    expect(nose.X).toBeCloseTo(p[60] / 400);
    expect(nose.Y).toBeCloseTo(p[61] / 200);
    const eyeLeft = marks[0];
    let x = 0;
    let y = 0;
    for (let i = 36; i <= 41; i++) {
      x += p[i * 2];
      y += p[i * 2 + 1];
    }
    expect(eyeLeft.X).toBeCloseTo(x / 6 / 400);
    expect(eyeLeft.Y).toBeCloseTo(y / 6 / 200);
  });

  it('names sides from the viewer, as Rekognition (eyeLeft is on the image left)', () => {
    const marks = Object.fromEntries(
      toRekognitionLandmarks(points(), 400, 200, 'all').map((m) => [m.Type, m]),
    );
    for (const [left, right] of [
      ['eyeLeft', 'eyeRight'],
      ['mouthLeft', 'mouthRight'],
      ['leftEyeBrowLeft', 'rightEyeBrowRight'],
      ['leftEyeLeft', 'leftEyeRight'],
      ['rightEyeLeft', 'rightEyeRight'],
      ['leftEyeRight', 'rightEyeLeft'],
      ['noseLeft', 'noseRight'],
      ['leftPupil', 'rightPupil'],
      ['upperJawlineLeft', 'upperJawlineRight'],
      ['midJawlineLeft', 'midJawlineRight'],
    ]) {
      expect(marks[left].X, `${left} < ${right}`).toBeLessThan(marks[right].X);
    }
    expect(marks.leftEyeUp.Y).toBeLessThan(marks.leftEyeDown.Y);
    expect(marks.leftEyeBrowUp.Y).toBeLessThan(marks.leftEyeUp.Y);
    expect(marks.mouthUp.Y).toBeLessThan(marks.mouthDown.Y);
    expect(marks.nose.Y).toBeLessThan(marks.mouthUp.Y);
    expect(marks.chinBottom.Y).toBeGreaterThan(marks.mouthDown.Y);
    expect(marks.leftPupil).toMatchObject({ X: marks.eyeLeft.X, Y: marks.eyeLeft.Y });
  });

  it('returns all 30 types once with ALL', () => {
    const marks = toRekognitionLandmarks(points(), 400, 200, 'all');
    expect(marks).toHaveLength(30);
    expect(new Set(marks.map((m) => m.Type)).size).toBe(30);
    expect(REKOGNITION_LANDMARKS).toHaveLength(30);
    for (const m of marks) {
      expect(m.X).toBeGreaterThan(0);
      expect(m.X).toBeLessThan(1);
    }
  });

  it('does not clamp points outside the image', () => {
    const p = points().map((v, i) => (i % 2 === 0 ? v - 400 : v));
    expect(toRekognitionLandmarks(p, 400, 200, 'default')[0].X).toBeLessThan(0);
  });
});
