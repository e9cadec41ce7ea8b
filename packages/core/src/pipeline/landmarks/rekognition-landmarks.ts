import type { Landmark, LandmarkType } from '../../model/wire-types.generated.js';

/**
 * How each Rekognition `LandmarkType` is read from the 68 iBUG 300-W points: the mean of the
 * listed point indices.
 *
 * Rekognition names sides from the viewer: `eyeLeft` is the eye on the image's left (the
 * subject's right eye; documented example: eyeLeft X 0.398 < eyeRight X 0.481), and so are
 * `leftEyeBrow*`, `leftEye*`, `mouthLeft`, `noseLeft`, `*JawlineLeft`. In iBUG order the image
 * left comes first (points 0, 17–21, 36–41, 48 are on the image's left).
 *
 * - eye centres and pupils: mean of the 6 eye-contour points (no iris model; Rekognition's own
 *   pupils also equal its eye centres in published responses);
 * - eye up/down: mean of the two upper (37, 38 / 43, 44) or lower (40, 41 / 46, 47) lid points;
 * - brows: outer/inner ends 17, 21 / 22, 26 and middle-top 19 / 24;
 * - nose: tip 30; noseLeft/noseRight: the nostril wings 31 / 35;
 * - mouth: corners 48 / 54, mouthUp top of the upper lip 51, mouthDown bottom of the lower lip 57;
 * - jawline: upperJawline 0 / 16 (at eye height, as in Rekognition's responses), midJawline
 *   4 / 12 (mouth height), chinBottom 8.
 *
 * Order: the 5 DEFAULT landmarks first, then the rest, as Rekognition lists them.
 */
export const REKOGNITION_LANDMARKS: ReadonlyArray<readonly [LandmarkType, readonly number[]]> = [
  ['eyeLeft', [36, 37, 38, 39, 40, 41]],
  ['eyeRight', [42, 43, 44, 45, 46, 47]],
  ['mouthLeft', [48]],
  ['mouthRight', [54]],
  ['nose', [30]],
  ['leftEyeBrowLeft', [17]],
  ['leftEyeBrowRight', [21]],
  ['leftEyeBrowUp', [19]],
  ['rightEyeBrowLeft', [22]],
  ['rightEyeBrowRight', [26]],
  ['rightEyeBrowUp', [24]],
  ['leftEyeLeft', [36]],
  ['leftEyeRight', [39]],
  ['leftEyeUp', [37, 38]],
  ['leftEyeDown', [40, 41]],
  ['rightEyeLeft', [42]],
  ['rightEyeRight', [45]],
  ['rightEyeUp', [43, 44]],
  ['rightEyeDown', [46, 47]],
  ['noseLeft', [31]],
  ['noseRight', [35]],
  ['mouthUp', [51]],
  ['mouthDown', [57]],
  ['leftPupil', [36, 37, 38, 39, 40, 41]],
  ['rightPupil', [42, 43, 44, 45, 46, 47]],
  ['upperJawlineLeft', [0]],
  ['midJawlineLeft', [4]],
  ['chinBottom', [8]],
  ['midJawlineRight', [12]],
  ['upperJawlineRight', [16]],
];

/** How many of {@link REKOGNITION_LANDMARKS} the DEFAULT attribute set returns. */
export const DEFAULT_LANDMARK_COUNT = 5;

/**
 * Converts 68 landmark points (image pixels, iBUG order) to Rekognition `Landmark`s with X and Y
 * as ratios of the image width and height (not clamped: points may lie outside the image).
 * @param set `default`: eyeLeft, eyeRight, mouthLeft, mouthRight, nose; `all`: all 30 types.
 * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_Landmark.html
 */
export function toRekognitionLandmarks(
  points: ArrayLike<number>,
  imageWidth: number,
  imageHeight: number,
  set: 'default' | 'all',
): Landmark[] {
  const count = set === 'all' ? REKOGNITION_LANDMARKS.length : DEFAULT_LANDMARK_COUNT;
  const out: Landmark[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const [type, indices] = REKOGNITION_LANDMARKS[k];
    let x = 0;
    let y = 0;
    for (const i of indices) {
      x += points[i * 2];
      y += points[i * 2 + 1];
    }
    out[k] = {
      Type: type,
      X: x / indices.length / imageWidth,
      Y: y / indices.length / imageHeight,
    };
  }
  return out;
}
