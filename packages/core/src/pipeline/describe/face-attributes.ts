import type { RgbImage } from '../../image/raster.js';
import type { Attribute, Emotion, EmotionName } from '../../model/wire-types.generated.js';
import { type Region, resizeRegion } from '../input/resize.js';
import type { BoxCorners } from '../landmarks/landmarks.js';

/**
 * The `FaceDetail` members beyond the DEFAULT set that facekit can compute, by the `Attribute`
 * that asks for them. `EYEGLASSES`, `SUNGLASSES`, `BEARD` and `MUSTACHE` are absent: no model for
 * them is available, so they are never returned rather than invented.
 */
export type FaceAttribute =
  | 'AGE_RANGE'
  | 'GENDER'
  | 'EMOTIONS'
  | 'SMILE'
  | 'EYES_OPEN'
  | 'MOUTH_OPEN'
  | 'FACE_OCCLUDED'
  | 'EYE_DIRECTION';

export const FACE_ATTRIBUTES: readonly FaceAttribute[] = [
  'AGE_RANGE',
  'GENDER',
  'EMOTIONS',
  'SMILE',
  'EYES_OPEN',
  'MOUTH_OPEN',
  'FACE_OCCLUDED',
  'EYE_DIRECTION',
];

/** What a request's `Attributes` / `DetectionAttributes` asks for. */
export interface AttributeRequest {
  /** `ALL` was asked: every landmark type and every attribute. */
  readonly all: boolean;
  /** The computable attributes asked for (all of them with `ALL`). */
  readonly attributes: ReadonlySet<FaceAttribute>;
}

/**
 * Reads a request's attribute list as Rekognition does: DEFAULT members always; `ALL` means every
 * attribute (also with `DEFAULT` beside it); named attributes add to DEFAULT. Names with no model
 * here (EYEGLASSES, SUNGLASSES, BEARD, MUSTACHE) are accepted and ignored.
 */
export function resolveAttributes(list: readonly Attribute[]): AttributeRequest {
  if (list.includes('ALL')) return { all: true, attributes: new Set(FACE_ATTRIBUTES) };
  const known = new Set<string>(FACE_ATTRIBUTES);
  return {
    all: false,
    attributes: new Set(list.filter((a): a is FaceAttribute => known.has(a))),
  };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const point = (p: ArrayLike<number>, i: number): [number, number] => [p[i * 2], p[i * 2 + 1]];
const mean = (p: ArrayLike<number>, indices: readonly number[]): [number, number] => {
  let x = 0;
  let y = 0;
  for (const i of indices) {
    x += p[i * 2];
    y += p[i * 2 + 1];
  }
  return [x / indices.length, y / indices.length];
};
const dist = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0] - b[0], a[1] - b[1]);

/** Logistic function, for turning a measured margin into a 0–1 belief. */
export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Softmax of logits (numerically stable). */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i] - max);
    sum += out[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** Rekognition `{Value, Confidence}` from a probability that Value is true. */
export function booleanAttribute(probability: number): { Value: boolean; Confidence: number } {
  const p = clamp(probability, 0, 1);
  return { Value: p >= 0.5, Confidence: Math.max(p, 1 - p) * 100 };
}

// ---- crops ---------------------------------------------------------------------------------

/**
 * face-api's face crop: the box, padded with black to a centred square (as its `toNetInput`
 * does with `padToSquare(…, isCenterImage = true)`), resized (area average) to `width × height`.
 */
export function paddedFaceCrop(
  image: RgbImage,
  box: BoxCorners,
  width: number,
  height: number,
): RgbImage {
  const bw = box.x2 - box.x1;
  const bh = box.y2 - box.y1;
  const side = Math.max(bw, bh);
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const region = { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
  const crop = resizeRegion(image, region, width, height, { fill: [0, 0, 0], filter: 'area' });
  // Blacken what lies outside the box: face-api pads the box itself, not the image around it.
  const x0 = Math.round((((side - bw) / 2) * width) / side);
  const x1 = Math.round((((side + bw) / 2) * width) / side);
  const y0 = Math.round((((side - bh) / 2) * height) / side);
  const y1 = Math.round((((side + bh) / 2) * height) / side);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (x >= x0 && x < x1 && y >= y0 && y < y1) continue;
      const p = (y * width + x) * 3;
      crop.data[p] = 0;
      crop.data[p + 1] = 0;
      crop.data[p + 2] = 0;
    }
  }
  return crop;
}

/**
 * The eye-state model's crops, as its package's code makes them: a square centred on the mean of
 * the eye's four lid points (37, 38, 40, 41 / 43, 44, 46, 47), of side 1.6 × the distance
 * between its corners (36–39 / 42–45). Image-left eye first.
 */
export function eyeCrops(points: ArrayLike<number>, padding = 1.6): [Region, Region] {
  const crop = (lids: number[], a: number, b: number): Region => {
    const [cx, cy] = mean(points, lids);
    const side = Math.max(1, dist(point(points, a), point(points, b)) * padding);
    return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
  };
  return [crop([37, 38, 40, 41], 36, 39), crop([43, 44, 46, 47], 42, 45)];
}

// ---- model outputs -------------------------------------------------------------------------

/**
 * Rekognition's `AgeRange` around a point estimate. The half-width is the age model's typical
 * error, which grows with age: `max(minHalfWidth, relativeHalfWidth × age)` years (defaults 4
 * and 0.2; face-api publishes no accuracy for its model, so these are our reading of it on
 * photos of known age groups), rounded outwards to whole years.
 */
export function ageRange(
  age: number,
  options: { minHalfWidth?: number; relativeHalfWidth?: number } = {},
): { Low: number; High: number } {
  const a = clamp(age, 0, 100);
  const half = Math.max(options.minHalfWidth ?? 4, (options.relativeHalfWidth ?? 0.2) * a);
  return { Low: Math.max(0, Math.floor(a - half)), High: Math.ceil(a + half) };
}

/**
 * face-api's 7 expression classes (`FACE_EXPRESSION_LABELS`: neutral, happy, sad, angry,
 * fearful, disgusted, surprised) by Rekognition's names: neutral → CALM, fearful → FEAR.
 */
export const FACE_API_EXPRESSIONS: readonly EmotionName[] = [
  'CALM',
  'HAPPY',
  'SAD',
  'ANGRY',
  'FEAR',
  'DISGUSTED',
  'SURPRISED',
];

/** Rekognition's `Smile` from the expression probabilities: the probability of HAPPY. */
export function smile(probabilities: ArrayLike<number>): { Value: boolean; Confidence: number } {
  return booleanAttribute(probabilities[FACE_API_EXPRESSIONS.indexOf('HAPPY')]);
}

/**
 * Rekognition's eight `Emotions` from the 7-class expression probabilities, sorted by confidence,
 * highest first, summing to 100. CONFUSED has no class in the model: it gets the smallest of the
 * seven probabilities, the level the model gives an expression it sees no evidence for, so it
 * never outranks an expression the model did see; then all eight are renormalised to sum to 100.
 */
export function emotions(probabilities: ArrayLike<number>): Emotion[] {
  if (probabilities.length !== FACE_API_EXPRESSIONS.length) {
    throw new Error(`Expression model gave ${probabilities.length} classes; 7 expected.`);
  }
  const list: { Type: EmotionName; p: number }[] = FACE_API_EXPRESSIONS.map((Type, i) => ({
    Type,
    p: probabilities[i],
  }));
  list.push({ Type: 'CONFUSED', p: Math.min(...list.map((e) => e.p)) });
  const total = list.reduce((s, e) => s + e.p, 0) || 1;
  return list
    .map((e) => ({ Type: e.Type, Confidence: (e.p / total) * 100 }))
    .sort((a, b) => b.Confidence - a.Confidence);
}

// ---- geometry on the 68 points -------------------------------------------------------------

/**
 * How far the lips are apart: the gap between the inner upper lip (61–63) and the inner lower lip
 * (65–67), divided by the mouth's width (corners 48–54). About 0 for a closed mouth.
 */
export function mouthOpenRatio(points: ArrayLike<number>): number {
  const up = mean(points, [61, 62, 63]);
  const down = mean(points, [65, 66, 67]);
  const width = dist(point(points, 48), point(points, 54));
  return width > 0 ? Math.max(0, dist(up, down)) / width : 0;
}

/**
 * Probability that the mouth is open from {@link mouthOpenRatio}: a logistic step at
 * `threshold` (default 0.12) of width `scale` (default 0.03).
 */
export function mouthOpenProbability(ratio: number, threshold = 0.12, scale = 0.03): number {
  return sigmoid((ratio - threshold) / scale);
}

/**
 * Which part of the face lies outside the image: the share of the brow, nose, eye and lip points
 * (17–67) beyond the image border. 0 for a face fully in the picture.
 */
export function truncatedShare(points: ArrayLike<number>, width: number, height: number): number {
  let outside = 0;
  for (let i = 17; i < 68; i++) {
    const x = points[i * 2];
    const y = points[i * 2 + 1];
    if (x < 0 || y < 0 || x >= width || y >= height) outside++;
  }
  return outside / 51;
}

/**
 * Probability that the face is occluded, from what can be checked without an occlusion model:
 * whether its eyes, nose and mouth are cut off by the image border ({@link truncatedShare}; a
 * logistic step at 10% of the points of width 3%). Masks, hands, phones or dark glasses over a
 * face inside the picture are *not* detected, so the probability never falls below `floor`
 * (default 0.25): a face reported not occluded gets at most 75% confidence.
 */
export function occlusionProbability(truncated: number, floor = 0.25): number {
  return Math.max(floor, sigmoid((truncated - 0.1) / 0.03));
}

/** Mean distance between the corners of each eye (36–39, 42–45), in pixels. */
export function eyeWidth(points: ArrayLike<number>): number {
  return (
    (dist(point(points, 36), point(points, 39)) + dist(point(points, 42), point(points, 45))) / 2
  );
}

/**
 * Eyes-open probability from the eye model's, shrunk towards 0.5 for small eyes: the model sees
 * the eye resized to 24×24, and under `fullWidth` (default 16) pixels between the eye corners
 * there is too little detail for its answer to be trusted (measured: in group photos with
 * 5–6 px eyes it calls most open, smiling eyes closed).
 */
export function eyesOpenProbability(model: number, widthPx: number, fullWidth = 16): number {
  const reliability = clamp(widthPx / fullWidth, 0, 1);
  return 0.5 + (model - 0.5) * reliability;
}

/**
 * The pupil of one eye, from the image: the luma-weighted centroid of the darkest pixels inside
 * the eye's 6-point outline (36–41 or 42–47). The iris and pupil are the darkest part of an
 * open eye; `darkShare` (default 0.3) of the outline's pixels are taken.
 * @returns the pupil in image pixels and `contrast`, the luma gap between the dark share and the
 * rest of the eye (0–1; near 0 means no visible iris, e.g. a closed eye).
 */
export function locatePupil(
  image: RgbImage,
  points: ArrayLike<number>,
  first: 36 | 42,
  darkShare = 0.3,
): { x: number; y: number; contrast: number } | undefined {
  const outline: [number, number][] = [];
  for (let i = first; i < first + 6; i++) outline.push(point(points, i));
  const xs = outline.map((p) => p[0]);
  const ys = outline.map((p) => p[1]);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)));
  const x1 = Math.min(image.width - 1, Math.ceil(Math.max(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const y1 = Math.min(image.height - 1, Math.ceil(Math.max(...ys)));
  const inside: { x: number; y: number; l: number }[] = [];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!insidePolygon(x + 0.5, y + 0.5, outline)) continue;
      const p = (y * image.width + x) * 3;
      const l = image.data[p] * 0.299 + image.data[p + 1] * 0.587 + image.data[p + 2] * 0.114;
      inside.push({ x: x + 0.5, y: y + 0.5, l });
    }
  }
  if (inside.length < 6) return undefined;
  inside.sort((a, b) => a.l - b.l);
  const n = Math.max(3, Math.round(inside.length * darkShare));
  let sx = 0;
  let sy = 0;
  let sw = 0;
  let dark = 0;
  for (let i = 0; i < n; i++) {
    const w = 255 - inside[i].l + 1;
    sx += inside[i].x * w;
    sy += inside[i].y * w;
    sw += w;
    dark += inside[i].l;
  }
  let rest = 0;
  for (let i = n; i < inside.length; i++) rest += inside[i].l;
  const contrast = inside.length > n ? Math.max(0, rest / (inside.length - n) - dark / n) / 255 : 0;
  return { x: sx / sw, y: sy / sw, contrast };
}

function insidePolygon(x: number, y: number, polygon: readonly [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Gaze relative to the head, from the pupils' offsets within their eyes (see
 * {@link locatePupil}): an eyeball of radius R turned by θ moves the pupil by R·sin θ, and the
 * visible eye (corner to corner) is about 2.4 R wide, so `sin θ = 2.4 × offset / eye width`.
 * Yaw comes from the offset along the line between the eye corners, with the sign of the head's
 * `Pose.Yaw` here (negative: towards the image's left); pitch from the offset across it
 * (positive: up), less `pitchOffset` degrees (default 12: the dark-pixel centroid sits above the
 * iris centre because the upper lid and lashes shade the eye; 12° is the mean measured on the
 * faces looking into the camera in the face-api sample photos). Both eyes are averaged, weighted
 * by their iris contrast.
 *
 * The dark centroid also lies nearer the eye's centre than the iris does (lashes and corners
 * are dark too), so yaw is multiplied by `yawGain` (default 1.9). Measured on the 16 faces
 * looking into the camera in the face-api sample photos (their gaze relative to the head is
 * minus the head's yaw): correlation 0.90 with −Pose.Yaw; the gain, fitted through the origin,
 * gives a leave-one-out mean error of 12° (17° without it, 26° for always 0). `pnpm
 * bench:accuracy` prints these numbers.
 *
 * A rough estimate: it has no iris model, is fooled by glasses, reflections and make-up, and
 * loses meaning when the head is turned far. `confidence` (0–100) is the iris contrast
 * (×200, capped) scaled by eye size (full at 16 px between the corners, as for EyesOpen).
 */
export function eyeDirection(
  image: RgbImage,
  points: ArrayLike<number>,
  pitchOffset = 12,
  yawGain = 1.9,
): { yaw: number; pitch: number; confidence: number } | undefined {
  const eyes: { yaw: number; pitch: number; w: number }[] = [];
  for (const first of [36, 42] as const) {
    const pupil = locatePupil(image, points, first);
    if (!pupil) continue;
    const a = point(points, first);
    const b = point(points, first + 3);
    const width = dist(a, b);
    if (width <= 0) continue;
    const ux = (b[0] - a[0]) / width;
    const uy = (b[1] - a[1]) / width;
    const cx = (a[0] + b[0]) / 2;
    const cy = (a[1] + b[1]) / 2;
    const along = (pupil.x - cx) * ux + (pupil.y - cy) * uy;
    const across = -(pupil.x - cx) * uy + (pupil.y - cy) * ux;
    const deg = (v: number) => (Math.asin(clamp((2.4 * v) / width, -1, 1)) * 180) / Math.PI;
    eyes.push({ yaw: deg(along), pitch: -deg(across), w: pupil.contrast });
  }
  const total = eyes.reduce((s, e) => s + e.w, 0);
  if (eyes.length === 0 || total <= 0) return undefined;
  const contrast = total / eyes.length;
  return {
    yaw: clamp((yawGain * eyes.reduce((s, e) => s + e.yaw * e.w, 0)) / total, -90, 90),
    pitch: clamp(eyes.reduce((s, e) => s + e.pitch * e.w, 0) / total - pitchOffset, -90, 90),
    confidence: 100 * Math.min(1, contrast * 2) * clamp(eyeWidth(points) / 16, 0, 1),
  };
}
