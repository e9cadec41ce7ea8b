import type { FaceAnalyzer } from '../analysis/face-analyzer.js';
import type {
  FaceDetail,
  FaceDetection,
  FaceMatch,
  PersonMatch,
} from '../model/wire-types.generated.js';
import { FaceTracker } from './face-tracker.js';
import { colourHistogram, isCut } from './shot-cuts.js';
import type { VideoFrame } from './video-decoder.js';

/** What analysing a video's frames needs besides the frames. */
export interface VideoAnalysisOptions {
  analyzer: FaceAnalyzer;
  /** `FaceAttributes`: ALL adds what the analyzer computes beyond the DEFAULT set. */
  attributes: 'DEFAULT' | 'ALL';
  /** Called after each frame with how many were analysed; return false to stop. */
  onFrame?: (framesDone: number) => boolean;
}

/**
 * StartFaceDetection's work: every face of every sampled frame, by timestamp. Video faces carry
 * neither `FaceOccluded` nor `EyeDirection`, as documented for Rekognition Video.
 */
export async function detectVideoFaces(
  frames: AsyncIterable<VideoFrame>,
  options: VideoAnalysisOptions,
): Promise<FaceDetection[]> {
  const detections: FaceDetection[] = [];
  let done = 0;
  for await (const frame of frames) {
    const analysis = await analyzePixels(options.analyzer, frame, {
      attributes: [options.attributes],
      embedLargest: 0,
    });
    for (const face of analysis.faces) {
      detections.push({ Timestamp: frame.timestampMs, Face: videoFaceDetail(face.detail) });
    }
    if (options.onFrame && !options.onFrame(++done)) break;
  }
  return detections;
}

/** One person's face in one sampled frame. */
export interface PersonSighting {
  timestampMs: number;
  index: number;
  detail: FaceDetail;
}

/**
 * StartFaceSearch's work before the search: every face of every sampled frame, embedded and given
 * a person index by a {@link FaceTracker} (told where shots cut, by colour histograms); then each
 * person is searched once, with the mean of their embeddings, by `search`.
 */
export async function searchVideoPersons(
  frames: AsyncIterable<VideoFrame>,
  options: VideoAnalysisOptions & {
    maxFaces: number;
    search: (embedding: Float32Array) => Promise<FaceMatch[]>;
  },
): Promise<PersonMatch[]> {
  const tracker = new FaceTracker({ similarity: options.analyzer.similarity });
  const sightings: PersonSighting[] = [];
  let done = 0;
  let previous: Float32Array | undefined;
  for await (const frame of frames) {
    const histogram = colourHistogram(frame);
    const afterCut = previous !== undefined && isCut(previous, histogram);
    previous = histogram;
    const analysis = await analyzePixels(options.analyzer, frame, {
      attributes: ['DEFAULT'],
      embedLargest: options.maxFaces,
    });
    const faces = analysis.faces.filter((f) => f.embedding !== undefined);
    const indexes = tracker.assign(
      frame.timestampMs,
      faces.map((f) => ({
        box: {
          Left: f.detail.BoundingBox?.Left ?? 0,
          Top: f.detail.BoundingBox?.Top ?? 0,
          Width: f.detail.BoundingBox?.Width ?? 0,
          Height: f.detail.BoundingBox?.Height ?? 0,
        },
        embedding: f.embedding as Float32Array,
      })),
      { afterCut },
    );
    faces.forEach((f, i) => {
      sightings.push({ timestampMs: frame.timestampMs, index: indexes[i], detail: f.detail });
    });
    if (options.onFrame && !options.onFrame(++done)) break;
  }
  const matches = new Map<number, FaceMatch[]>();
  for (const person of tracker.persons()) {
    matches.set(person.index, await options.search(person.embedding));
  }
  return sightings.map((s): PersonMatch => {
    const found = matches.get(s.index) ?? [];
    return {
      Timestamp: s.timestampMs,
      Person: {
        Index: s.index,
        BoundingBox: s.detail.BoundingBox,
        Face: videoFaceDetail(s.detail),
      },
      // Persons the collection does not know are listed too, without FaceMatches.
      ...(found.length > 0 ? { FaceMatches: found } : {}),
    };
  });
}

function analyzePixels(
  analyzer: FaceAnalyzer,
  frame: VideoFrame,
  options: Parameters<FaceAnalyzer['analyze']>[1],
) {
  if (!analyzer.analyzePixels) {
    throw new Error(
      `The face analyzer of face model ${analyzer.faceModelVersion} cannot analyse decoded frames, so it cannot analyse video.`,
    );
  }
  // Video frames are upright: a frame without faces is not tried turned.
  return analyzer.analyzePixels(frame, { ...options, tryTurned: false });
}

/** Rekognition Video does not report FaceOccluded and EyeDirection. */
function videoFaceDetail(detail: FaceDetail): FaceDetail {
  const { FaceOccluded: _occluded, EyeDirection: _direction, ...rest } = detail;
  return rest;
}
