/** Head pose in degrees, with Rekognition's signs (see {@link estimatePose}). */
export interface HeadPose {
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
}

/**
 * A generic adult head: 3-D positions (millimetres) of the iBUG 300-W points the pose solve uses,
 * in a camera-aligned frame of a frontal face: X towards the image's right, Y down, Z away from
 * the camera, origin at the nose tip. Approximate anthropometric values (eye corners ~90 mm apart
 * and ~30 mm behind the nose tip, mouth corners ~52 mm apart, chin ~68 mm below the nose tip);
 * jaw contour points are left out because they slide along the silhouette as the head turns.
 */
export const POSE_MODEL_POINTS: ReadonlyArray<
  readonly [index: number, x: number, y: number, z: number]
> = [
  [27, 0, -36, 20], // nose bridge (between the eyes)
  [30, 0, 0, 0], // nose tip
  [31, -13, 6, 14], // nostril wing, image left
  [33, 0, 9, 12], // nose base
  [35, 13, 6, 14], // nostril wing, image right
  [36, -45, -34, 32], // outer corner, image-left eye
  [39, -15, -33, 24], // inner corner, image-left eye
  [42, 15, -33, 24], // inner corner, image-right eye
  [45, 45, -34, 32], // outer corner, image-right eye
  [48, -26, 30, 24], // mouth corner, image left
  [51, 0, 24, 10], // top of upper lip
  [54, 26, 30, 24], // mouth corner, image right
  [57, 0, 40, 14], // bottom of lower lip
  [8, 0, 68, 20], // chin
];

/**
 * Rotation matrix (row-major 3×3) for a pose: `R = Roll · Pitch · Yaw`, applied to the model's
 * frontal frame (X right, Y down, Z away from the camera). Exported for tests and tools.
 */
export function poseMatrix(pose: HeadPose): number[] {
  const r = (v: number) => (v * Math.PI) / 180;
  const [cy, sy] = [Math.cos(r(pose.yaw)), Math.sin(r(pose.yaw))];
  const [cp, sp] = [Math.cos(r(pose.pitch)), Math.sin(r(pose.pitch))];
  const [cr, sr] = [Math.cos(r(pose.roll)), Math.sin(r(pose.roll))];
  // Yaw > 0 moves the nose tip (z < 0) to the image right; pitch > 0 moves it up; roll > 0 turns
  // the face clockwise on screen (the y axis points down).
  const yaw = [cy, 0, -sy, 0, 1, 0, sy, 0, cy];
  const pitch = [1, 0, 0, 0, cp, sp, 0, -sp, cp];
  const roll = [cr, -sr, 0, sr, cr, 0, 0, 0, 1];
  return multiply3(roll, multiply3(pitch, yaw));
}

function multiply3(m: number[], n: number[]): number[] {
  const out = new Array<number>(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      out[i * 3 + j] = m[i * 3] * n[j] + m[i * 3 + 1] * n[3 + j] + m[i * 3 + 2] * n[6 + j];
    }
  }
  return out;
}

/**
 * Estimates head pose from 68 landmarks (image pixels, iBUG order) by fitting the generic head
 * `POSE_MODEL_POINTS` under weak perspective (scaled orthographic projection): a linear
 * least-squares 2×3 camera, whose rows are made orthonormal symmetrically, completed to a
 * rotation, and read as Euler angles of `R = Roll · Pitch · Yaw`.
 *
 * Signs follow Rekognition's published responses (in one, the image-right eye higher and the
 * nose nearer the image-left jaw: Roll −7, Yaw −33; in another, a long chin below the mouth and
 * the jaw ends below the eyes: Pitch +23):
 * - Roll > 0: the face is turned clockwise on screen (its image-right eye lower than its
 *   image-left eye); close to the in-plane angle of the eye line.
 * - Yaw > 0: the face turns towards the image's right (the subject's left; the nose tip moves
 *   right of the face's centre).
 * - Pitch > 0: the face tilts up (chin up).
 *
 * Accuracy is that of a generic head and weak perspective: exact on the model itself, within 3°
 * of it under perspective at arm's length. On 280 real faces its yaw tracked the `fr_pose.onnx`
 * network's (correlation 0.84, same scale); pitch and roll less closely (0.63, 0.73).
 * All angles are in −180..180.
 * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_Pose.html
 */
export function estimatePose(points: ArrayLike<number>): HeadPose {
  const n = POSE_MODEL_POINTS.length;
  let mx = 0;
  let my = 0;
  let mX = 0;
  let mY = 0;
  let mZ = 0;
  for (const [i, X, Y, Z] of POSE_MODEL_POINTS) {
    mx += points[i * 2];
    my += points[i * 2 + 1];
    mX += X;
    mY += Y;
    mZ += Z;
  }
  mx /= n;
  my /= n;
  mX /= n;
  mY /= n;
  mZ /= n;
  // Normal equations of p ≈ M·P (centred): M = B·A⁻¹ with A = Σ P·Pᵀ (3×3), B = Σ p·Pᵀ (2×3).
  const A = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const B = [0, 0, 0, 0, 0, 0];
  for (const [i, X0, Y0, Z0] of POSE_MODEL_POINTS) {
    const P = [X0 - mX, Y0 - mY, Z0 - mZ];
    const x = points[i * 2] - mx;
    const y = points[i * 2 + 1] - my;
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) A[r * 3 + c] += P[r] * P[c];
      B[r] += x * P[r];
      B[3 + r] += y * P[r];
    }
  }
  const Ainv = invert3(A);
  const m1 = [0, 0, 0];
  const m2 = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    for (let k = 0; k < 3; k++) {
      m1[c] += B[k] * Ainv[k * 3 + c];
      m2[c] += B[3 + k] * Ainv[k * 3 + c];
    }
  }
  // Nearest pair of orthonormal rows, symmetric in both: rotate each towards the other.
  const u1 = normalize(m1);
  const u2 = normalize(m2);
  const sum = normalize([u1[0] + u2[0], u1[1] + u2[1], u1[2] + u2[2]]);
  const diff = normalize([u1[0] - u2[0], u1[1] - u2[1], u1[2] - u2[2]]);
  const k = Math.SQRT1_2;
  const r1 = [(sum[0] + diff[0]) * k, (sum[1] + diff[1]) * k, (sum[2] + diff[2]) * k];
  const r2 = [(sum[0] - diff[0]) * k, (sum[1] - diff[1]) * k, (sum[2] - diff[2]) * k];
  const r3 = [
    r1[1] * r2[2] - r1[2] * r2[1],
    r1[2] * r2[0] - r1[0] * r2[2],
    r1[0] * r2[1] - r1[1] * r2[0],
  ];
  // R = Roll·Pitch·Yaw has third row [cp·sy, −sp, cp·cy] and R01 = −sr·cp, R11 = cr·cp.
  const deg = 180 / Math.PI;
  const pitch = Math.asin(Math.max(-1, Math.min(1, -r3[1]))) * deg;
  const yaw = Math.atan2(r3[0], r3[2]) * deg;
  const roll = Math.atan2(-r1[1], r2[1]) * deg;
  return { yaw, pitch, roll };
}

function normalize(v: number[]): number[] {
  const len = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / len, v[1] / len, v[2] / len];
}

function invert3(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (det === 0) throw new Error('estimatePose: degenerate head model.');
  const s = 1 / det;
  return [
    A * s,
    -(b * i - c * h) * s,
    (b * f - c * e) * s,
    B * s,
    (a * i - c * g) * s,
    -(a * f - c * d) * s,
    C * s,
    -(a * h - b * g) * s,
    (a * e - b * d) * s,
  ];
}
