/**
 * What every section of `pnpm bench:accuracy` shares: the analyzer, the per-photo analysis cache,
 * the datasets and the targets list the summary prints.
 */
import { relative } from 'node:path';
import type { FaceAnalyzer } from '@facekit/core';
import { dot } from '@facekit/core/vector';
import type { createNodeFaceAnalyzer, FaceModelVersion } from '@facekit/pipeline-node';
import type { WiderImage } from '../datasets.js';
import { readImageForApi } from '../image-bytes.js';

export type Analyzer = Awaited<ReturnType<typeof createNodeFaceAnalyzer>>;

export interface Face {
  /** [x, y, width, height] in pixels. */
  box: number[];
  confidence: number;
  /** The detector's raw probability (0–1) behind `confidence`. */
  score: number;
  /** The detection verifier's face probability, when it checked this face. */
  faceProbability?: number;
}
export type Analysis =
  | { ok: true; faces: Face[]; embedding?: Float32Array; width: number; height: number; ms: number }
  | { ok: false; error: string };

export interface Target {
  name: string;
  pass: boolean;
  value: string;
}

export interface AccuracyArgs {
  calibrate: boolean;
  detection: boolean;
  variants: boolean;
}

export interface AccuracyContext {
  root: string;
  model: FaceModelVersion;
  runtime: 'node' | 'web';
  args: AccuracyArgs;
  analyzer: Analyzer;
  photos: PhotoAnalyses;
  /** The WIDER images measured (1 in 4 with --quick). */
  wider: WiderImage[];
  faceless: string[];
  /** Filled by the sections, printed as PASS/MISS at the end. */
  targets: Target[];
}

export type PhotoAnalyses = ReturnType<typeof createPhotoAnalyses>;

/** Analyses of photos, with a per-file cache and the errors met on the way. */
export function createPhotoAnalyses(root: string, analyzer: FaceAnalyzer) {
  const errors: { path: string; error: string }[] = [];
  const counter = { analyses: 0 };
  const converted = new Set<string>();
  const rel = (path: string) => relative(root, path);

  async function analyze(
    path: string,
    embedLargest: number,
    using: FaceAnalyzer = analyzer,
  ): Promise<Analysis> {
    counter.analyses++;
    try {
      const image = await readImageForApi(path);
      if (image.converted) converted.add(rel(path));
      const t0 = performance.now();
      const result = await using.analyze(image.bytes, { attributes: ['DEFAULT'], embedLargest });
      const ms = performance.now() - t0;
      const { width, height } = result;
      const faces = result.faces.map((f): Face => {
        const b = f.detail.BoundingBox ?? {};
        return {
          box: [
            (b.Left ?? 0) * width,
            (b.Top ?? 0) * height,
            (b.Width ?? 0) * width,
            (b.Height ?? 0) * height,
          ],
          confidence: f.detail.Confidence ?? 0,
          score: f.detectionScore ?? Number.NaN,
          faceProbability: f.faceProbability,
        };
      });
      return { ok: true, faces, embedding: result.faces[0]?.embedding, width, height, ms };
    } catch (cause) {
      const error = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      errors.push({ path: rel(path), error });
      return { ok: false, error };
    }
  }

  /** Photos analysed once with the largest face embedded, shared by every section. */
  const cache = new Map<string, Analysis>();
  async function analyzeCached(path: string): Promise<Analysis> {
    let result = cache.get(path);
    if (!result) {
      result = await analyze(path, 1);
      cache.set(path, result);
    }
    return result;
  }

  async function analyzeAll(label: string, paths: readonly string[]): Promise<void> {
    for (let i = 0; i < paths.length; i++) {
      await analyzeCached(paths[i]);
      progress(label, i + 1, paths.length);
    }
  }

  function embeddingOf(path: string): Float32Array | undefined {
    const a = cache.get(path);
    return a?.ok ? a.embedding : undefined;
  }

  function cosine(a: string, b: string): number | undefined {
    const ea = embeddingOf(a);
    const eb = embeddingOf(b);
    return ea && eb ? dot(ea, eb) : undefined;
  }

  return {
    analyze,
    analyzeCached,
    analyzeAll,
    embeddingOf,
    cosine,
    cache,
    errors,
    converted,
    rel,
    /** How many analyses ran, cached or not. */
    get analyses() {
      return counter.analyses;
    },
  };
}

export function progress(label: string, done: number, total: number): void {
  if (process.stderr.isTTY) process.stderr.write(`\r  ${label} ${done}/${total}\u001b[K`);
  if (process.stderr.isTTY && done === total) process.stderr.write('\r\u001b[K');
}

export const unique = <T>(xs: readonly T[]) => [...new Set(xs)];
export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const heading = (title: string) => console.log(`\n== ${title} ==`);
