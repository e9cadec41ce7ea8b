import { describe, expect, it } from 'vitest';
import { estimatePose, type HeadPose, POSE_MODEL_POINTS, poseMatrix } from './pose.js';

/**
 * Projects the generic head at a pose into a 68-point array (unused points stay 0): scaled
 * orthographic by default, or a pinhole camera `distance` mm from the head.
 */
function project(pose: HeadPose, options: { scale?: number; distance?: number } = {}) {
  const { scale = 2, distance } = options;
  const R = poseMatrix(pose);
  const points = new Float32Array(136);
  for (const [i, X, Y, Z] of POSE_MODEL_POINTS) {
    const x = R[0] * X + R[1] * Y + R[2] * Z;
    const y = R[3] * X + R[4] * Y + R[5] * Z;
    const z = R[6] * X + R[7] * Y + R[8] * Z;
    const k = distance === undefined ? scale : (scale * distance) / (distance + z);
    points[i * 2] = 320 + x * k;
    points[i * 2 + 1] = 240 + y * k;
  }
  return points;
}

const poses: HeadPose[] = [];
for (const yaw of [-45, -20, 0, 15, 40]) {
  for (const pitch of [-25, 0, 20]) {
    for (const roll of [-30, 0, 10, 60]) poses.push({ yaw, pitch, roll });
  }
}

describe('estimatePose', () => {
  it('recovers known angles from the head model under scaled orthographic projection', () => {
    for (const pose of poses) {
      const got = estimatePose(project(pose));
      expect(got.yaw, JSON.stringify(pose)).toBeCloseTo(pose.yaw, 4);
      expect(got.pitch, JSON.stringify(pose)).toBeCloseTo(pose.pitch, 4);
      expect(got.roll, JSON.stringify(pose)).toBeCloseTo(pose.roll, 4);
    }
  });

  it('stays within a few degrees under perspective (a face at arm’s length)', () => {
    for (const pose of poses) {
      const got = estimatePose(project(pose, { scale: 5, distance: 500 }));
      expect(Math.abs(got.yaw - pose.yaw), JSON.stringify(pose)).toBeLessThan(3);
      expect(Math.abs(got.pitch - pose.pitch), JSON.stringify(pose)).toBeLessThan(3);
      expect(Math.abs(got.roll - pose.roll), JSON.stringify(pose)).toBeLessThan(3);
    }
  });

  it('does not depend on the face’s size or position', () => {
    const pose = { yaw: 12, pitch: -7, roll: 5 };
    const a = estimatePose(project(pose, { scale: 0.5 }));
    const b = estimatePose(project(pose, { scale: 9 }).map((v) => v + 1000));
    expect(a.yaw).toBeCloseTo(b.yaw, 3);
    expect(a.pitch).toBeCloseTo(b.pitch, 3);
    expect(a.roll).toBeCloseTo(b.roll, 3);
  });

  it('uses Rekognition’s signs', () => {
    const at = (pose: HeadPose) => {
      const p = project(pose);
      const eyeMidX = (p[36 * 2] + p[45 * 2]) / 2;
      return {
        noseX: p[30 * 2] - eyeMidX,
        noseY: p[30 * 2 + 1] - (p[36 * 2 + 1] + p[45 * 2 + 1]) / 2,
        eyeTilt: p[45 * 2 + 1] - p[36 * 2 + 1],
      };
    };
    const front = at({ yaw: 0, pitch: 0, roll: 0 });
    // Yaw > 0: the nose tip moves towards the image's right.
    expect(at({ yaw: 20, pitch: 0, roll: 0 }).noseX).toBeGreaterThan(front.noseX);
    // Pitch > 0: the face tilts up, the nose tip rises towards the eyes.
    expect(at({ yaw: 0, pitch: 20, roll: 0 }).noseY).toBeLessThan(front.noseY);
    // Roll > 0: clockwise on screen, the image-right eye is lower (as in Rekognition's examples).
    expect(at({ yaw: 0, pitch: 0, roll: 10 }).eyeTilt).toBeGreaterThan(0);
    const zero = estimatePose(project({ yaw: 0, pitch: 0, roll: 0 }));
    expect(Math.abs(zero.yaw) + Math.abs(zero.pitch) + Math.abs(zero.roll)).toBeLessThan(1e-6);
  });
});
