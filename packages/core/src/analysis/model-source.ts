import type { SessionOptions } from '../inference/inference-backend.js';
import type { ModelManifestEntry } from '../onnx-models/model-manifest.js';

/** A model's manifest entry and its ONNX bytes (checked against the entry's sha256 before use). */
export interface ModelSource {
  readonly entry: ModelManifestEntry;
  readonly bytes: Uint8Array;
  /**
   * Session options for this model, over `OnnxFaceAnalyzerOptions.sessionOptions`. Models
   * differ: with onnxruntime-node 1.30 (1 thread) `fr_feature.onnx` runs in 20 ms with graph
   * optimisations up to `extended` but 61 ms with `all`, while `fr_detect.onnx` is fastest
   * with `all` (2 ms against 6 ms).
   */
  readonly sessionOptions?: SessionOptions;
  /** How the face is cropped for an embedder (ignored for other models); default `arcface112`. */
  readonly alignment?: EmbedderAlignment;
}

/**
 * The crop an embedder was trained on. `arcface112`: the 5-point similarity alignment onto the
 * ArcFace template, scaled to the model's input size. `dlib-chip`: dlib's face chip (the 68
 * points onto dlib's mean face, `padding` around it; see `extractFaceChip`), which dlib's ResNet
 * needs: `size` (default the model's input side) must match the model's square input.
 */
export type EmbedderAlignment =
  | { readonly kind: 'arcface112' }
  | { readonly kind: 'dlib-chip'; readonly size?: number; readonly padding?: number };
