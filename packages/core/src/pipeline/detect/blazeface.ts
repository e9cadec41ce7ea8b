import type { Region } from '../input/resize.js';
import type { FaceBox } from './detection.js';

/** One anchor grid of a BlazeFace model: `size × size` cells with `perCell` anchors each. */
export interface BlazeFaceGrid {
  readonly size: number;
  readonly perCell: number;
}

/** MediaPipe's 256×256 "back camera" and 128×128 "front camera" models: 896 anchors. */
export const blazeFaceGrids: readonly BlazeFaceGrid[] = [
  { size: 16, perCell: 2 },
  { size: 8, perCell: 6 },
];

/** A face found by BlazeFace, in input fractions (0–1) of its square input. */
export interface BlazeFaceDetection {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  /** Sigmoid of the score logit, 0–1. */
  readonly score: number;
}

export interface BlazeFaceDecodeOptions {
  /** Side of the square model input in pixels (the regressions are in these pixels). */
  inputSize: number;
  /** Minimum probability; default 0.5. */
  scoreThreshold?: number;
  /** Grids in output order; default {@link blazeFaceGrids}. */
  grids?: readonly BlazeFaceGrid[];
}

/** Anchor centres (fractions of the input) of the grids, in output order: x0, y0, x1, y1, … */
export function blazeFaceAnchors(grids: readonly BlazeFaceGrid[] = blazeFaceGrids): Float32Array {
  const count = grids.reduce((n, g) => n + g.size * g.size * g.perCell, 0);
  const out = new Float32Array(count * 2);
  let k = 0;
  for (const { size, perCell } of grids) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        for (let a = 0; a < perCell; a++) {
          out[k++] = (x + 0.5) / size;
          out[k++] = (y + 0.5) / size;
        }
      }
    }
  }
  return out;
}

/**
 * Decodes BlazeFace outputs, one score-logit array and one regression array (16 values per
 * anchor: centre offset x, y, size w, h, then 6 keypoints; in input pixels) per grid, into the
 * boxes at least `scoreThreshold` likely, in input fractions. No suppression: callers only ask
 * whether some box agrees with theirs.
 * @throws {RangeError} when an array's length disagrees with its grid.
 */
export function decodeBlazeFace(
  scores: readonly ArrayLike<number>[],
  regressors: readonly ArrayLike<number>[],
  options: BlazeFaceDecodeOptions,
): BlazeFaceDetection[] {
  const grids = options.grids ?? blazeFaceGrids;
  const threshold = options.scoreThreshold ?? 0.5;
  if (scores.length !== grids.length || regressors.length !== grids.length) {
    throw new RangeError(`BlazeFace: ${grids.length} score and regression outputs expected.`);
  }
  const logitCut = Math.log(threshold / (1 - threshold));
  const side = options.inputSize;
  const out: BlazeFaceDetection[] = [];
  grids.forEach(({ size, perCell }, g) => {
    const n = size * size * perCell;
    const s = scores[g];
    const r = regressors[g];
    if (s.length !== n || r.length !== n * 16) {
      throw new RangeError(
        `BlazeFace grid ${size}×${size}×${perCell}: ${n} scores and ${n * 16} regressions expected, got ${s.length} and ${r.length}.`,
      );
    }
    for (let i = 0; i < n; i++) {
      const logit = s[i];
      if (!(logit >= logitCut)) continue;
      const cell = Math.floor(i / perCell);
      const ax = ((cell % size) + 0.5) / size;
      const ay = (Math.floor(cell / size) + 0.5) / size;
      const cx = ax + r[i * 16] / side;
      const cy = ay + r[i * 16 + 1] / side;
      const w = r[i * 16 + 2] / side;
      const h = r[i * 16 + 3] / side;
      const score = 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, logit))));
      out.push({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score });
    }
  });
  return out;
}

/** The square crop around `box` that the verifier sees: `scale` times its longer side. */
export function verifierCrop(box: FaceBox, scale = 2): Region {
  const side = Math.max(box.x2 - box.x1, box.y2 - box.y1) * scale;
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
}

/** Maps a detection in input fractions of a crop back to image pixels. */
export function fromCrop(d: BlazeFaceDetection, crop: Region): FaceBox {
  return {
    x1: crop.x + d.x1 * crop.width,
    y1: crop.y + d.y1 * crop.height,
    x2: crop.x + d.x2 * crop.width,
    y2: crop.y + d.y2 * crop.height,
    score: d.score,
  };
}

/**
 * The highest BlazeFace probability among `detections` (in fractions of `crop`) whose box
 * overlaps `box` with IoU ≥ `minIou`; 0 when none does.
 */
export function verifierScore(
  box: FaceBox,
  detections: readonly BlazeFaceDetection[],
  crop: Region,
  minIou = 0.3,
): number {
  let best = 0;
  for (const d of detections) {
    if (d.score <= best) continue;
    if (boxIou(box, fromCrop(d, crop)) >= minIou) best = d.score;
  }
  return best;
}

function boxIou(a: FaceBox, b: FaceBox): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}
