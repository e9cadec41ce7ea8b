import { type FaceBox, type MergeOptions, mergeDetections } from './detection.js';

/** The candidates of one detector pass, and the probability that accepts one of them alone. */
export interface PassCandidates {
  readonly boxes: readonly FaceBox[];
  /** A candidate at least this likely is a face without support from another pass, 0–1. */
  readonly scoreThreshold: number;
}

export interface FuseOptions extends MergeOptions {
  /**
   * A candidate under its pass's threshold is kept when at least two passes (scales or tiles)
   * found the same face (IoU above `iouThreshold`) with at least this probability each, 0–1.
   */
  supportThreshold: number;
  /** Members of a face with at least this IoU with its best box are averaged into it (1: none). */
  fuseIou: number;
}

export const defaultFuseOptions: Readonly<Pick<FuseOptions, 'supportThreshold' | 'fuseIou'>> = {
  supportThreshold: 0.5,
  fuseIou: 0.55,
};

interface Candidate {
  readonly box: FaceBox;
  readonly pass: number;
  readonly accepted: boolean;
}

/**
 * Merges the candidates of several passes over one image by agreement across passes: groups
 * candidates greedily around the best-scoring one left (IoU above `iouThreshold`), keeps a group
 * when a member reaches its pass's own threshold or two passes found it with at least
 * `supportThreshold`, and boxes it with the score-weighted mean of the members close to the
 * best one. Boxes contained in larger faces are then dropped as in {@link mergeDetections}.
 * @returns the faces, best score first.
 */
export function fuseDetections(
  passes: readonly PassCandidates[],
  options: Partial<MergeOptions> & Partial<FuseOptions> = {},
): FaceBox[] {
  const o = { ...defaultFuseOptions, iouThreshold: 0.4, minSize: 8, containment: 0.8, ...options };
  const candidates: Candidate[] = [];
  passes.forEach((p, pass) => {
    for (const box of p.boxes) {
      if (!(box.score >= o.supportThreshold || box.score >= p.scoreThreshold)) continue;
      if (Math.min(box.x2 - box.x1, box.y2 - box.y1) < o.minSize) continue;
      candidates.push({ box, pass, accepted: box.score >= p.scoreThreshold });
    }
  });
  candidates.sort((a, b) => b.box.score - a.box.score);
  const used = new Uint8Array(candidates.length);
  const faces: FaceBox[] = [];
  for (let i = 0; i < candidates.length; i++) {
    if (used[i]) continue;
    used[i] = 1;
    const top = candidates[i].box;
    const members = [candidates[i]];
    for (let j = i + 1; j < candidates.length; j++) {
      if (!used[j] && boxIou(top, candidates[j].box) > o.iouThreshold) {
        used[j] = 1;
        members.push(candidates[j]);
      }
    }
    const supporters = new Set(
      members.filter((m) => m.box.score >= o.supportThreshold).map((m) => m.pass),
    );
    if (!members.some((m) => m.accepted) && supporters.size < 2) continue;
    faces.push(weightedBox(top, members, o.fuseIou));
  }
  // The groups no longer overlap beyond `iouThreshold`; this only applies `containment`.
  return mergeDetections(faces, { ...o, iouThreshold: 1 });
}

function weightedBox(top: FaceBox, members: readonly Candidate[], fuseIou: number): FaceBox {
  if (fuseIou >= 1) return top;
  let w = 0;
  let x1 = 0;
  let y1 = 0;
  let x2 = 0;
  let y2 = 0;
  for (const { box } of members) {
    if (box !== top && boxIou(top, box) < fuseIou) continue;
    w += box.score;
    x1 += box.score * box.x1;
    y1 += box.score * box.y1;
    x2 += box.score * box.x2;
    y2 += box.score * box.y2;
  }
  return { x1: x1 / w, y1: y1 / w, x2: x2 / w, y2: y2 / w, score: top.score };
}

function boxIou(a: FaceBox, b: FaceBox): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
}
