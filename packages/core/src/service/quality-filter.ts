import type { AnalyzedFace } from '../analysis/face-analyzer.js';
import type { QualityFilter, Reason } from '../model/wire-types.generated.js';

/** The bar a face must clear at one `QualityFilter` level. */
export interface QualityBar {
  /**
   * Lowest detection `Confidence`, 0..100. The analyzer calibrates `Confidence` to the measured
   * precision of the detector (see `detectionConfidenceFor`), so this bar is the least
   * probability, in percent, that the box is a real face.
   */
  minConfidence: number;
  /** Smallest face height, in pixels of the upright image. */
  minHeightPx: number;
  /** Largest |Yaw| and |Pitch|, in degrees. */
  maxYaw: number;
  maxPitch: number;
  /** Lowest `Quality.Sharpness` and `Quality.Brightness`, 0..100. */
  minSharpness: number;
  minBrightness: number;
}

/**
 * facekit's quality bars. Rekognition does not publish its own; these are ours, chosen so that
 * LOW removes only faces nothing useful can be done with, HIGH keeps only clear, frontal,
 * well-sized faces, and AUTO (IndexFaces' default) is MEDIUM. With the calibrated `Confidence`,
 * LOW drops boxes more likely not a face than a face, MEDIUM those under 70% likely and HIGH
 * those under 90%. On the held-out half of the WIDER FACE subset (crowds, most faces under 32 px;
 * 79% of all detections are faces) the detections these bars keep are 88%, 96% and 99% faces,
 * keeping 90%, 81% and 61% of the faces found (`pnpm bench:accuracy`, "Detection confidence").
 */
export const qualityBars: Record<Exclude<QualityFilter, 'NONE' | 'AUTO'>, QualityBar> = {
  LOW: {
    minConfidence: 50,
    minHeightPx: 20,
    maxYaw: 80,
    maxPitch: 60,
    minSharpness: 3,
    minBrightness: 5,
  },
  MEDIUM: {
    minConfidence: 70,
    minHeightPx: 32,
    maxYaw: 65,
    maxPitch: 45,
    minSharpness: 8,
    minBrightness: 10,
  },
  HIGH: {
    minConfidence: 90,
    minHeightPx: 48,
    maxYaw: 45,
    maxPitch: 35,
    minSharpness: 15,
    minBrightness: 20,
  },
};

/** Why `face` fails the `filter` level, in the API's `Reason` terms; empty when it passes. */
export function qualityReasons(face: AnalyzedFace, filter: QualityFilter): Reason[] {
  if (filter === 'NONE') return [];
  const bar = qualityBars[filter === 'AUTO' ? 'MEDIUM' : filter];
  const { Confidence = 0, Pose, Quality } = face.detail;
  const reasons: Reason[] = [];
  if (Confidence < bar.minConfidence) reasons.push('LOW_CONFIDENCE');
  if (face.heightPx < bar.minHeightPx) reasons.push('SMALL_BOUNDING_BOX');
  if (Pose && (Math.abs(Pose.Yaw ?? 0) > bar.maxYaw || Math.abs(Pose.Pitch ?? 0) > bar.maxPitch)) {
    reasons.push('EXTREME_POSE');
  }
  if (Quality && (Quality.Sharpness ?? 100) < bar.minSharpness) reasons.push('LOW_SHARPNESS');
  if (Quality && (Quality.Brightness ?? 100) < bar.minBrightness) reasons.push('LOW_BRIGHTNESS');
  return reasons;
}
