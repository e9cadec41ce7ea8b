import type { AnalyzedFace } from '../analysis/face-analyzer.js';
import type { ExplainedFace, FaceQualityIssue } from '../model/identification-model.js';
import { qualityBars } from './quality-filter.js';

/**
 * How good a picture of a face is for recognition, as the factors that weaken an embedding:
 * each factor is 1 where it cannot hurt and falls to 0 where the face is useless, and the score
 * is the weakest factor (one bad property is enough to spoil a match). The knees are facekit's
 * quality bars (`quality-filter.ts`): a factor reaches 1 at twice the HIGH bar's sharpness and
 * brightness, at the embedder's 112 px input height, and within 20° of frontal; it is 0 at the
 * LOW bar. Documented as a guide to which face to retake, not as a calibrated probability.
 */
export function faceQuality(
  face: Pick<AnalyzedFace, 'heightPx' | 'detail'>,
): Pick<ExplainedFace, 'QualityScore' | 'Issues'> {
  const { LOW, HIGH } = qualityBars;
  const { Pose, Quality, Confidence, FaceOccluded } = face.detail;
  const factors: [FaceQualityIssue, number][] = [
    ['SMALL', ramp(face.heightPx, LOW.minHeightPx, 112)],
    [
      'EXTREME_POSE',
      Math.min(
        ramp(-Math.abs(Pose?.Yaw ?? 0), -LOW.maxYaw, -20),
        ramp(-Math.abs(Pose?.Pitch ?? 0), -LOW.maxPitch, -20),
      ),
    ],
    ['LOW_SHARPNESS', ramp(Quality?.Sharpness ?? 100, LOW.minSharpness, 2 * HIGH.minSharpness)],
    ['LOW_BRIGHTNESS', ramp(Quality?.Brightness ?? 100, LOW.minBrightness, 2 * HIGH.minBrightness)],
    ['OCCLUDED', FaceOccluded?.Value ? 0.5 : 1],
    ['LOW_CONFIDENCE', ramp(Confidence ?? 100, LOW.minConfidence, HIGH.minConfidence)],
  ];
  const weakening = factors.filter(([, f]) => f < NOTICEABLE).sort((a, b) => a[1] - b[1]);
  return {
    QualityScore: round(Math.min(...factors.map(([, f]) => f))),
    Issues: weakening.map(([issue]) => issue),
  };
}

/** Factors above this are not named as issues: they cost the embedding next to nothing. */
const NOTICEABLE = 0.9;

/** 0 at or below `low`, 1 at or above `high`, linear between. */
function ramp(value: number, low: number, high: number): number {
  if (value >= high) return 1;
  if (value <= low) return 0;
  return (value - low) / (high - low);
}

const round = (x: number) => Math.round(x * 1000) / 1000;
