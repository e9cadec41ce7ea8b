import type { RgbImage } from '../../image/raster.js';
import type { Tensor } from '../../inference/inference-backend.js';
import {
  letterboxTransform,
  type ResizeFilter,
  resizeRegion,
  type ScaleTransform,
  transformRegion,
} from '../input/resize.js';
import { nms } from './nms.js';

/** A detected face in image pixels (continuous coordinates, may extend past the image). */
export interface FaceBox {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  /** Detector probability that the box holds a face, 0–1. */
  readonly score: number;
}

/**
 * Overlapping tiles at a higher resolution than the full-image pass, to find faces too small for
 * it. Each tile is one detector run at the model's fixed input size.
 */
export interface TilingOptions {
  /**
   * Wanted resolution of the tiles relative to the full-image pass (2: each tile sees the image
   * twice as large). Lowered as needed to stay within `maxTiles`.
   */
  zoom: number;
  /**
   * Smallest overlap of neighbouring tiles, as a fraction of the tile. A face up to this fraction
   * of a tile lies wholly inside some tile; larger ones are the full pass's job.
   */
  overlap: number;
  /** Upper bound on the number of tiles (each costs one detector run). */
  maxTiles: number;
  /** Largest tile scale (model pixels per image pixel): 1 never enlarges the image. */
  maxScale: number;
  /** Tiles are planned only when they gain at least this factor of resolution over the full pass. */
  minGain: number;
  /**
   * Skips the tiles when the full pass already found a face at least this tall relative to the
   * image (portraits, selfies, ID photos), trading recall of tiny background faces for latency.
   * `Infinity` always runs them.
   */
  skipWhenFaceHeightRatio: number;
  /**
   * Further grids at higher zooms (each also lowered to fit its own `maxTiles`), for faces still
   * too small for the first grid. A grid is planned only when its scale gains `minGain` over the
   * previous one. Empty: one grid.
   */
  finerGrids: readonly { readonly zoom: number; readonly maxTiles: number }[];
}

/**
 * Up to 4 tiles at up to twice the full pass's resolution. On the WIDER FACE validation subset
 * (351 images of about 1024 px) with `fr_detect.onnx`, the full pass alone found 63% of the faces
 * 32–96 px tall and 90% of taller ones; with these tiles 81% and 93% (tile threshold 0.8), for
 * about 11 ms more per image (4 renders and 4 runs at 2 ms). 9 tiles gained 1–2 points more.
 */
export const defaultTilingOptions: Readonly<TilingOptions> = {
  zoom: 2,
  overlap: 0.25,
  maxTiles: 4,
  maxScale: 1,
  minGain: 1.25,
  skipWhenFaceHeightRatio: 0.3,
  finerGrids: [],
};

/** One detector run: the model input is the image under `transform`, padded where it has none. */
export interface DetectionPass {
  readonly kind: 'full' | 'tile';
  /** Image → model input coordinates. */
  readonly transform: ScaleTransform;
  /**
   * Sides of the model input that cut through the image next to another tile: boxes touching them
   * are partial faces, which the neighbouring tile sees whole.
   */
  readonly innerEdges: {
    readonly left: boolean;
    readonly top: boolean;
    readonly right: boolean;
    readonly bottom: boolean;
  };
}

export interface DetectionPlan {
  readonly imageWidth: number;
  readonly imageHeight: number;
  readonly modelWidth: number;
  readonly modelHeight: number;
  /** The letterboxed whole image. */
  readonly full: DetectionPass;
  /** Overlapping tiles, row by row; empty when the image is small enough for the full pass. */
  readonly tiles: readonly DetectionPass[];
}

const NO_EDGES = { left: false, top: false, right: false, bottom: false } as const;

/**
 * Plans the detector runs for an image: one letterboxed pass over the whole image, plus a grid of
 * overlapping tiles at a higher scale when the image is larger than the model input. The tile
 * scale is the largest (up to `zoom` × the full pass, at most `maxScale`) whose grid fits in
 * `maxTiles` with the required `overlap`; tiles are spaced evenly.
 */
export function planDetection(
  imageWidth: number,
  imageHeight: number,
  modelWidth: number,
  modelHeight: number,
  tiling: Partial<TilingOptions> | false = {},
): DetectionPlan {
  const transform = letterboxTransform(imageWidth, imageHeight, modelWidth, modelHeight);
  const full: DetectionPass = { kind: 'full', transform, innerEdges: NO_EDGES };
  const plan = { imageWidth, imageHeight, modelWidth, modelHeight, full };
  if (tiling === false) return { ...plan, tiles: [] };
  const o = { ...defaultTilingOptions, ...tiling };
  const tiles: DetectionPass[] = [];
  let previous = transform.scale;
  for (const grid of [{ zoom: o.zoom, maxTiles: o.maxTiles }, ...o.finerGrids]) {
    const scale = gridScale(
      imageWidth,
      imageHeight,
      modelWidth,
      modelHeight,
      Math.min(o.maxScale, transform.scale * grid.zoom),
      o.overlap,
      grid.maxTiles,
    );
    if (!(scale >= previous * o.minGain)) break;
    tiles.push(...gridPasses(imageWidth, imageHeight, modelWidth, modelHeight, scale, o.overlap));
    previous = scale;
  }
  return { ...plan, tiles };
}

/** The largest scale, up to `wanted`, whose grid covers the image with `overlap` in `maxTiles`. */
function gridScale(
  imageWidth: number,
  imageHeight: number,
  modelWidth: number,
  modelHeight: number,
  wanted: number,
  overlap: number,
  maxTiles: number,
): number {
  const overlapX = overlap * modelWidth;
  const overlapY = overlap * modelHeight;
  // The largest scale at which an n-tile row (column) still covers the image with the overlap.
  const fit = (n: number, tile: number, overlap: number, length: number) =>
    (n * tile - (n - 1) * overlap) / length;
  let scale = 0;
  for (let nx = 1; nx <= maxTiles; nx++) {
    const ny = Math.floor(maxTiles / nx);
    const s = Math.min(
      wanted,
      fit(nx, modelWidth, overlapX, imageWidth),
      fit(ny, modelHeight, overlapY, imageHeight),
    );
    if (s > scale) scale = s;
  }
  return scale;
}

/** The tiles of one grid at `scale`, row by row. */
function gridPasses(
  imageWidth: number,
  imageHeight: number,
  modelWidth: number,
  modelHeight: number,
  scale: number,
  overlap: number,
): DetectionPass[] {
  const xs = tileOrigins(imageWidth * scale, modelWidth, overlap * modelWidth);
  const ys = tileOrigins(imageHeight * scale, modelHeight, overlap * modelHeight);
  const tiles: DetectionPass[] = [];
  for (let j = 0; j < ys.length; j++) {
    for (let i = 0; i < xs.length; i++) {
      tiles.push({
        kind: 'tile',
        transform: { scale, offsetX: -xs[i], offsetY: -ys[j] },
        innerEdges: {
          left: i > 0,
          top: j > 0,
          right: i < xs.length - 1,
          bottom: j < ys.length - 1,
        },
      });
    }
  }
  return tiles;
}

/** Evenly spaced tile starts (in scaled pixels) covering `length` with at least `overlap`. */
function tileOrigins(length: number, tile: number, overlap: number): number[] {
  if (length <= tile) return [(length - tile) / 2];
  // A small epsilon absorbs rounding in `fit`, so an exact fit does not add a tile.
  const n = Math.max(2, Math.ceil((length - overlap) / (tile - overlap) - 1e-9));
  const step = (length - tile) / (n - 1);
  return Array.from({ length: n }, (_, i) => i * step);
}

/**
 * Whether to run the tiles after the full pass found `faces` (see
 * {@link TilingOptions.skipWhenFaceHeightRatio}).
 */
export function shouldRunTiles(
  plan: DetectionPlan,
  faces: readonly FaceBox[],
  tiling: Partial<TilingOptions> = {},
): boolean {
  if (plan.tiles.length === 0) return false;
  const ratio = tiling.skipWhenFaceHeightRatio ?? defaultTilingOptions.skipWhenFaceHeightRatio;
  return !faces.some((f) => f.y2 - f.y1 >= ratio * plan.imageHeight);
}

/**
 * Renders a pass's model input: the image under the pass's transform, padded with `fill` (use the
 * model's neutral value, see `neutralFill`).
 */
export function renderPass(
  image: RgbImage,
  plan: DetectionPlan,
  pass: DetectionPass,
  fill: readonly [number, number, number],
  options: { filter?: ResizeFilter; out?: Uint8Array } = {},
): RgbImage {
  const region = transformRegion(pass.transform, plan.modelWidth, plan.modelHeight);
  return resizeRegion(image, region, plan.modelWidth, plan.modelHeight, { fill, ...options });
}

export interface DecodeOptions {
  /** Minimum face probability, 0–1. */
  scoreThreshold: number;
  /** Distance (model pixels) from a tile's inner edge within which a box counts as cut. */
  edgeMargin?: number;
  /**
   * In tiles, boxes taller or wider than this fraction of the model input are dropped. A tile sees
   * only part of the scene, and faces that large are the coarser passes' job (they find them with
   * the context around them); in tiles such boxes are mostly hair or clothing. Default: no limit.
   */
  tileMaxBoxFraction?: number;
}

/**
 * Decodes UltraFace (RFB-320) outputs of one pass into image-pixel boxes: `scores` `[1, N, 2]`
 * (softmaxed background/face) and `boxes` `[1, N, 4]` (decoded `x1, y1, x2, y2` as fractions of
 * the model input). Keeps boxes scoring at least `scoreThreshold` whose centre lies in the
 * image, minus boxes cut by a tile's inner edges. Not yet suppressed: see {@link mergeDetections}.
 */
export function decodeUltraFace(
  scores: Tensor,
  boxes: Tensor,
  plan: DetectionPlan,
  pass: DetectionPass,
  options: DecodeOptions,
): FaceBox[] {
  const n = scores.dims.length >= 2 ? scores.dims[scores.dims.length - 2] : 0;
  const classes = scores.dims[scores.dims.length - 1];
  if (classes !== 2 || boxes.dims[boxes.dims.length - 1] !== 4 || boxes.data.length < n * 4) {
    throw new Error(
      `Unexpected detector outputs: scores [${scores.dims}], boxes [${boxes.dims}]; expected [1,N,2] and [1,N,4].`,
    );
  }
  const { modelWidth: mw, modelHeight: mh, imageWidth, imageHeight } = plan;
  const { scale, offsetX, offsetY } = pass.transform;
  const margin = options.edgeMargin ?? 2;
  const maxW = (options.tileMaxBoxFraction ?? Number.POSITIVE_INFINITY) * mw;
  const maxH = (options.tileMaxBoxFraction ?? Number.POSITIVE_INFINITY) * mh;
  const edges = pass.innerEdges;
  const s = scores.data;
  const b = boxes.data;
  const out: FaceBox[] = [];
  for (let i = 0; i < n; i++) {
    const score = s[i * 2 + 1];
    if (!(score >= options.scoreThreshold)) continue;
    const mx1 = b[i * 4] * mw;
    const my1 = b[i * 4 + 1] * mh;
    const mx2 = b[i * 4 + 2] * mw;
    const my2 = b[i * 4 + 3] * mh;
    if (!(mx2 > mx1 && my2 > my1)) continue;
    if (pass.kind === 'tile' && (mx2 - mx1 > maxW || my2 - my1 > maxH)) continue;
    if (
      (edges.left && mx1 < margin) ||
      (edges.top && my1 < margin) ||
      (edges.right && mx2 > mw - margin) ||
      (edges.bottom && my2 > mh - margin)
    ) {
      continue;
    }
    const x1 = (mx1 - offsetX) / scale;
    const y1 = (my1 - offsetY) / scale;
    const x2 = (mx2 - offsetX) / scale;
    const y2 = (my2 - offsetY) / scale;
    const cx = (x1 + x2) / 2;
    const cy = (y1 + y2) / 2;
    if (cx < 0 || cy < 0 || cx > imageWidth || cy > imageHeight) continue;
    out.push({ x1, y1, x2, y2, score });
  }
  return out;
}

export interface MergeOptions {
  /** IoU above which the lower-scoring of two boxes is dropped. */
  iouThreshold: number;
  /** Smallest face side kept, in image pixels. */
  minSize: number;
  /**
   * A box whose area lies at least this much inside a larger kept box is dropped (a face cannot
   * hold another face; such boxes are parts of it, found at another scale). 1 disables.
   */
  containment: number;
}

export const defaultMergeOptions: Readonly<MergeOptions> = {
  iouThreshold: 0.4,
  minSize: 8,
  containment: 0.8,
};

/**
 * Merges the candidates of all passes: drops boxes under `minSize`, suppresses duplicates across
 * passes and scales with greedy IoU NMS, then drops boxes contained in larger ones.
 * @returns the faces, best score first.
 */
export function mergeDetections(
  candidates: readonly FaceBox[],
  options: Partial<MergeOptions> = {},
): FaceBox[] {
  const o = { ...defaultMergeOptions, ...options };
  const faces = candidates.filter((f) => Math.min(f.x2 - f.x1, f.y2 - f.y1) >= o.minSize);
  const packed = new Float32Array(faces.length * 4);
  const scores = new Float32Array(faces.length);
  faces.forEach((f, i) => {
    packed.set([f.x1, f.y1, f.x2, f.y2], i * 4);
    scores[i] = f.score;
  });
  const kept = nms(packed, scores, o.iouThreshold);
  if (o.containment >= 1) return kept.map((i) => faces[i]);
  const area = (i: number) => (faces[i].x2 - faces[i].x1) * (faces[i].y2 - faces[i].y1);
  const bySize = [...kept].sort((a, b) => area(b) - area(a));
  const dropped = new Set<number>();
  for (let k = 0; k < bySize.length; k++) {
    const small = bySize[k];
    for (let j = 0; j < k; j++) {
      const large = bySize[j];
      if (dropped.has(large) || area(large) <= area(small)) continue;
      if (insideFraction(faces[small], faces[large]) >= o.containment) {
        dropped.add(small);
        break;
      }
    }
  }
  return kept.filter((i) => !dropped.has(i)).map((i) => faces[i]);
}

/** How much of `inner`'s area lies inside `outer`, 0–1. */
function insideFraction(inner: FaceBox, outer: FaceBox): number {
  const w = Math.min(inner.x2, outer.x2) - Math.max(inner.x1, outer.x1);
  const h = Math.min(inner.y2, outer.y2) - Math.max(inner.y1, outer.y1);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / ((inner.x2 - inner.x1) * (inner.y2 - inner.y1));
}
