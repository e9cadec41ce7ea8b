/**
 * Per-request options that are not part of the Rekognition wire contract (facekit extensions,
 * e.g. the `x-facekit-max-false-accept-rate` HTTP header).
 */
export interface RequestOptions {
  /**
   * Match at the `Similarity` threshold where the collection's face model measured this false
   * accept rate (0..1), instead of a raw `FaceMatchThreshold`/`SimilarityThreshold`. Applies to
   * SearchFaces, SearchFacesByImage and CompareFaces; other operations ignore it.
   */
  maxFalseAcceptRate?: number;
}
