import type { RgbImage } from '../image/raster.js';
import type { Attribute, FaceDetail } from '../model/wire-types.generated.js';
import type { SimilarityScale } from './similarity-scale.js';

/**
 * The analysis seam between the service and the neural pipeline: image bytes in, faces out.
 * The service decides what to do with them (index, search, compare); the analyzer decides how
 * faces are found and described. A collection is bound to one analyzer by its
 * `faceModelVersion`, so vectors of two embedding models are never mixed.
 */
export interface FaceAnalyzer {
  readonly specificationVersion: 'v1';
  /**
   * Version of the embedding model, reported as `FaceModelVersion`/`IndexFacesModelVersion`
   * (digits and dots, as the API model requires).
   */
  readonly faceModelVersion: string;
  /** Cosine ↔ `Similarity` percentage calibration of this embedding model. */
  readonly similarity: SimilarityScale;
  /**
   * Finds and describes the faces in an image.
   * @throws {InvalidImageFormatException} for anything but JPEG and PNG.
   * @throws {ImageTooLargeException} for images beyond the pixel limits.
   * @throws {InvalidParameterException} for images under the minimum size.
   */
  analyze(image: Uint8Array, options: AnalyzeOptions): Promise<ImageAnalysis>;
  /**
   * Finds and describes the faces in pixels already decoded (a video frame). Optional: an
   * analyzer without it cannot serve the video operations.
   */
  analyzePixels?(
    image: RgbImage,
    options: AnalyzeOptions & { tryTurned?: boolean },
  ): Promise<ImageAnalysis>;
}

export interface AnalyzeOptions {
  /**
   * Which `FaceDetail` members to compute beyond the DEFAULT set (BoundingBox, Confidence,
   * 5 Landmarks, Pose, Quality). `ALL` means every one the analyzer supports; attributes it
   * cannot compute honestly are left out.
   */
  attributes: readonly Attribute[];
  /** How many faces (largest first) get an embedding; 0 for none (DetectFaces). */
  embedLargest: number;
}

export interface ImageAnalysis {
  /** Upright size in pixels (after EXIF orientation). */
  width: number;
  height: number;
  /** At most 100 faces, largest bounding box first. */
  faces: AnalyzedFace[];
}

export interface AnalyzedFace {
  /** Wire-ready description; ratios of the upright image. */
  detail: FaceDetail;
  /** Unit-length embedding, present for the `embedLargest` largest faces. */
  embedding?: Float32Array;
  /** Face box height in pixels, for quality filtering and size rules. */
  heightPx: number;
  /**
   * The detector's own probability (0–1) before calibration into `detail.Confidence`, for
   * benchmarks that measure or fit that calibration.
   */
  detectionScore?: number;
  /** The detection verifier's face probability (0–1), when one checked this face. */
  faceProbability?: number;
}
