import type { SimilarityScale } from '../analysis/similarity-scale.js';
import { dot } from '../vector/vector-math.js';

/** A face box as ratios of the frame (the wire `BoundingBox`, all members present). */
export interface BoxRatio {
  Left: number;
  Top: number;
  Width: number;
  Height: number;
}

/** A face found in one sampled frame, with its unit-length embedding. */
export interface FrameFace {
  box: BoxRatio;
  embedding: Float32Array;
}

/** One person of the video: every face given the same `index`. */
export interface TrackedPerson {
  /** `Person.Index`: 0, 1, 2... in order of first appearance. */
  readonly index: number;
  /** Unit-length mean of the person's embeddings: what the collection is searched with. */
  readonly embedding: Float32Array;
  /** How many sampled frames showed the person. */
  readonly sightings: number;
  readonly firstMs: number;
  readonly lastMs: number;
}

export interface FaceTrackerOptions {
  /** The embedding model's cosine ↔ `Similarity` calibration. */
  similarity: SimilarityScale;
  /**
   * `Similarity` at which a face is the same person wherever and whenever it appears, so a
   * person keeps their index across cuts. Default 80 (a 0.1% false accept rate on the
   * calibrated models).
   */
  samePersonSimilarity?: number;
  /**
   * Lower `Similarity` that suffices when the face also overlaps the person's box of a recent
   * frame (IoU ≥ `minIou`, within `maxGapMs`): the same face moving, turning or blurring.
   * Default 50 (10% false accept rate; the overlap does the rest).
   */
  nearbySimilarity?: number;
  /** Default 0.3. */
  minIou?: number;
  /** How long a person may be unseen and still be continued by overlap. Default 2000 ms. */
  maxGapMs?: number;
}

interface Track {
  index: number;
  sum: Float32Array;
  mean: Float32Array;
  last: Float32Array;
  lastBox: BoxRatio;
  firstMs: number;
  lastMs: number;
  sightings: number;
}

/**
 * Gives each face of a video a person index, frame by frame: a face continues the person it
 * overlaps in a recent frame when their faces are at least somewhat alike, or any person it is
 * clearly alike (after a cut, a person comes back with their old index); otherwise it starts a
 * new person. Within one frame every person gets at most one face, best pairs first.
 */
export class FaceTracker {
  readonly #tracks: Track[] = [];
  readonly #scale: SimilarityScale;
  readonly #same: number;
  readonly #nearby: number;
  readonly #minIou: number;
  readonly #maxGapMs: number;

  constructor(options: FaceTrackerOptions) {
    this.#scale = options.similarity;
    this.#same = options.samePersonSimilarity ?? 80;
    this.#nearby = options.nearbySimilarity ?? 50;
    this.#minIou = options.minIou ?? 0.3;
    this.#maxGapMs = options.maxGapMs ?? 2000;
  }

  /**
   * Assigns the faces of the frame at `timestampMs` (later than any before); person per face.
   * `afterCut`: the frame starts a new shot, so where a face was in the previous one says
   * nothing (in shot/reverse-shot, two people fill the same place in turn): only likeness counts.
   */
  assign(
    timestampMs: number,
    faces: readonly FrameFace[],
    options: { afterCut?: boolean } = {},
  ): number[] {
    const pairs: { face: number; track: Track; score: number }[] = [];
    faces.forEach((face, i) => {
      for (const track of this.#tracks) {
        const similarity = this.#scale.toPercent(
          Math.max(dot(face.embedding, track.mean), dot(face.embedding, track.last)),
        );
        const recent = !options.afterCut && timestampMs - track.lastMs <= this.#maxGapMs;
        const overlap = recent ? iou(face.box, track.lastBox) : 0;
        const continues = overlap >= this.#minIou && similarity >= this.#nearby;
        if (continues || similarity >= this.#same) {
          // Overlap ranks first: two look-alikes side by side each keep their own place.
          pairs.push({ face: i, track, score: similarity + (continues ? 100 * overlap : 0) });
        }
      }
    });
    pairs.sort((a, b) => b.score - a.score);
    const assigned: (Track | undefined)[] = faces.map(() => undefined);
    const taken = new Set<Track>();
    for (const pair of pairs) {
      if (assigned[pair.face] || taken.has(pair.track)) continue;
      assigned[pair.face] = pair.track;
      taken.add(pair.track);
    }
    return faces.map((face, i) => {
      const track = assigned[i] ?? this.#start(face, timestampMs);
      if (assigned[i]) this.#extend(track, face, timestampMs);
      return track.index;
    });
  }

  /** Every person so far, by index. */
  persons(): TrackedPerson[] {
    return this.#tracks.map((t) => ({
      index: t.index,
      embedding: t.mean,
      sightings: t.sightings,
      firstMs: t.firstMs,
      lastMs: t.lastMs,
    }));
  }

  #start(face: FrameFace, timestampMs: number): Track {
    const track: Track = {
      index: this.#tracks.length,
      sum: Float32Array.from(face.embedding),
      mean: Float32Array.from(face.embedding),
      last: face.embedding,
      lastBox: face.box,
      firstMs: timestampMs,
      lastMs: timestampMs,
      sightings: 1,
    };
    this.#tracks.push(track);
    return track;
  }

  #extend(track: Track, face: FrameFace, timestampMs: number): void {
    for (let i = 0; i < track.sum.length; i++) track.sum[i] += face.embedding[i];
    const norm = Math.sqrt(dot(track.sum, track.sum)) || 1;
    for (let i = 0; i < track.sum.length; i++) track.mean[i] = track.sum[i] / norm;
    track.last = face.embedding;
    track.lastBox = face.box;
    track.lastMs = timestampMs;
    track.sightings++;
  }
}

/** Intersection over union of two boxes. */
export function iou(a: BoxRatio, b: BoxRatio): number {
  const w = Math.min(a.Left + a.Width, b.Left + b.Width) - Math.max(a.Left, b.Left);
  const h = Math.min(a.Top + a.Height, b.Top + b.Height) - Math.max(a.Top, b.Top);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.Width * a.Height + b.Width * b.Height - inter);
}
