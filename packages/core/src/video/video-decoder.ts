import type { RgbImage } from '../image/raster.js';

/**
 * The decoding seam of stored video: the bytes of a `Video.S3Object` in, metadata and sampled
 * RGB frames out. The implementation lives outside the core (`@facekit/video-ffmpeg` runs
 * Debian's `ffprobe`/`ffmpeg`), as images are decoded by an `ImageDecoder`.
 */
export interface VideoDecoder {
  readonly specificationVersion: 'v1';
  /** What decodes, for messages (e.g. `ffmpeg 5.1.9`). */
  readonly name: string;
  /**
   * Takes the video's bytes as they arrive (a decoder typically writes them to a temporary
   * file, so a large video never sits in memory) and returns a handle to probe and decode it.
   * Nothing is decoded yet: a file that is no video is found out by {@link OpenedVideo.probe}.
   * @throws {VideoDecodeError} with reason `too-large` past `maxBytes`.
   */
  open(bytes: AsyncIterable<Uint8Array>, options: { maxBytes: number }): Promise<OpenedVideo>;
}

/** A stored video ready to be probed and decoded; {@link OpenedVideo.close} removes its copy. */
export interface OpenedVideo {
  /** Size of the copy in bytes. */
  readonly byteLength: number;
  /**
   * The video stream's codec, container, duration, frame rate and size.
   * @throws {VideoDecodeError} (`invalid-video`) when no decodable video stream is found.
   */
  probe(): Promise<VideoInfo>;
  /**
   * Frames at `0, intervalMs, 2·intervalMs...` (each the frame shown at that time), upright RGB,
   * at most `maxSide` pixels on the longer side when given. Stops early when the consumer does.
   * @throws {VideoDecodeError} (`invalid-video`) when decoding fails midway.
   */
  frames(options: { intervalMs: number; maxSide?: number }): AsyncIterable<VideoFrame>;
  /** Releases the copy and any decoder still running. Idempotent. */
  close(): Promise<void>;
}

/** What a decoder reads from a video's headers (camelCase of the wire `VideoMetadata`). */
export interface VideoInfo {
  /** e.g. `h264`. */
  codec: string;
  /** e.g. `QuickTime / MOV`. */
  format: string;
  durationMillis: number;
  /** Frames per second (average). */
  frameRate: number;
  /** Displayed size in pixels (after rotation metadata). */
  frameWidth: number;
  frameHeight: number;
  colorRange?: 'FULL' | 'LIMITED';
}

/** One sampled frame: its pixels and when it is shown, in milliseconds from the start. */
export interface VideoFrame extends RgbImage {
  readonly timestampMs: number;
}

/** Why a video could not be used: `too-large` is the request's fault, the rest fail the job. */
export type VideoDecodeFailure = 'too-large' | 'invalid-video' | 'decoder-missing';

/** What a {@link VideoDecoder} throws; the message becomes a job's `StatusMessage`. */
export class VideoDecodeError extends Error {
  override readonly name = 'VideoDecodeError';
  constructor(
    readonly reason: VideoDecodeFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** By name, not `instanceof`: an adapter may bundle its own copy of the core. */
  static isInstance(error: unknown): error is VideoDecodeError {
    return error instanceof Error && error.name === 'VideoDecodeError' && 'reason' in error;
  }
}
