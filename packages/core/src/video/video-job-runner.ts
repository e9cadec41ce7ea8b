import type { FaceAnalyzer } from '../analysis/face-analyzer.js';
import {
  AccessDeniedException,
  IdempotentParameterMismatchException,
  InternalServerError,
  InvalidParameterException,
  InvalidS3ObjectException,
  LimitExceededException,
  ResourceNotFoundException,
  VideoTooLargeException,
} from '../errors/exceptions.js';
import type {
  FaceMatch,
  NotificationChannel,
  Video,
  VideoMetadata,
} from '../model/wire-types.generated.js';
import { describeObjectFailure } from '../service/image-input.js';
import { ImageObjectReadError, type ImageObjectSource } from '../service/image-object-source.js';
import { KeyedMutex } from '../service/keyed-mutex.js';
import { detectVideoFaces, searchVideoPersons } from './analyze-video.js';
import { type OpenedVideo, VideoDecodeError, type VideoDecoder } from './video-decoder.js';
import type { VideoJob, VideoJobKind, VideoJobStore } from './video-job-store.js';

/** How stored-video jobs run; see `FaceServiceLimits` for the defaults. */
export interface VideoJobLimits {
  /** Jobs analysing frames at once; the others wait their turn (IN_PROGRESS all the same). */
  maxRunningVideoJobs: number;
  /** IN_PROGRESS jobs at most; one more Start… is `LimitExceededException` (Rekognition: 20). */
  maxVideoJobsInProgress: number;
  /** Time between sampled frames, in milliseconds. */
  videoSampleIntervalMs: number;
  /** Largest video accepted, in bytes (Rekognition: 10 GB). */
  maxVideoBytes: number;
  /** Longest video accepted, in milliseconds (Rekognition: 6 hours). */
  maxVideoDurationMs: number;
  /** Frames are scaled down to at most this many pixels on their longer side. */
  maxVideoFrameSide: number;
}

/** What a job needs from the service it runs in. */
export interface VideoJobServices {
  store: VideoJobStore;
  decoder: VideoDecoder | undefined;
  objects: ImageObjectSource | undefined;
  limits: VideoJobLimits;
  now: () => number;
}

/** A Start… request after validation, with how to analyse once its turn comes. */
export interface VideoJobRequest {
  kind: VideoJobKind;
  video: Video;
  clientRequestToken?: string;
  jobTag?: string;
  notificationChannel?: NotificationChannel;
  faceAttributes?: 'DEFAULT' | 'ALL';
  collectionId?: string;
  faceMatchThreshold?: number;
  /** Resolved now (an unknown collection is refused by Start…), used when the job runs. */
  analyzer: FaceAnalyzer;
  /** Face search only: the collection's matches for a person's mean embedding. */
  search?: (embedding: Float32Array) => Promise<FaceMatch[]>;
}

interface Running {
  progress: { framesDone: number; framesTotal?: number };
  phase: 'waiting' | 'reading' | 'analysing' | 'searching';
  stop: boolean;
}

/**
 * The StatusMessage of a job IN_PROGRESS (Rekognition leaves it empty until a job fails):
 * `Analysing: 12 of 24 sampled frames`, for clients that show progress (`facekit video`).
 */
function progressMessage(running: Running): string {
  const { framesDone, framesTotal } = running.progress;
  switch (running.phase) {
    case 'waiting':
      return 'Waiting: other video jobs are running.';
    case 'reading':
      return 'Reading the video.';
    case 'searching':
      return `Searching the collection for the persons of ${framesDone} of ${framesTotal} sampled frames.`;
    default:
      return `Analysing: ${framesDone} of ${framesTotal ?? '?'} sampled frames.`;
  }
}

/**
 * The stored-video jobs of one service: Start… validates, fetches and queues, at most
 * `maxRunningVideoJobs` analyse at a time (first come, first served), and each job's state is
 * saved in the {@link VideoJobStore} when it starts, when its metadata is known and when it ends.
 */
export class VideoJobRunner {
  readonly #services: VideoJobServices;
  readonly #tokens = new KeyedMutex();
  readonly #running = new Map<string, Running>();
  readonly #waiting: (() => void)[] = [];
  #active = 0;
  /** Start… calls past the limit check, still reading their object: they count as in progress. */
  #starting = 0;
  #closed = false;
  readonly #settled = new Set<Promise<void>>();

  constructor(services: VideoJobServices) {
    this.#services = services;
  }

  /**
   * Starts a job, or returns the job an earlier request with the same `ClientRequestToken` and
   * the same parameters started.
   * @throws {InvalidParameterException} for a `NotificationChannel`, which facekit refuses.
   * @throws {IdempotentParameterMismatchException} for a token used with other parameters.
   * @throws {LimitExceededException} when `maxVideoJobsInProgress` jobs are in progress.
   * @throws {InvalidS3ObjectException} when the video cannot be read, saying why.
   * @throws {VideoTooLargeException} for a video over `maxVideoBytes`.
   */
  async start(request: VideoJobRequest): Promise<string> {
    if (request.notificationChannel) {
      throw new InvalidParameterException(
        'NotificationChannel is not supported: facekit publishes no SNS notifications. Leave it out and poll the Get operation until JobStatus is no longer IN_PROGRESS.',
      );
    }
    const requestKey = JSON.stringify([
      request.video,
      request.jobTag ?? null,
      request.faceAttributes ?? null,
      request.collectionId ?? null,
      request.faceMatchThreshold ?? null,
    ]);
    const token = request.clientRequestToken;
    const startNew = () => this.#startNew(request, requestKey);
    if (token === undefined) return startNew();
    return this.#tokens.run(`${request.kind}:${token}`, async () => {
      const earlier = await this.#services.store.findByToken(request.kind, token);
      if (!earlier) return startNew();
      if (earlier.requestKey !== requestKey) {
        throw new IdempotentParameterMismatchException(
          `The ClientRequestToken: ${token} you have supplied is already in use.`,
        );
      }
      return earlier.jobId;
    });
  }

  /**
   * A job with its progress so far.
   * @throws {ResourceNotFoundException} for an unknown JobId.
   */
  async get(jobId: string): Promise<VideoJob> {
    const job = await this.#services.store.load(jobId);
    if (!job) throw new ResourceNotFoundException(`The job ${jobId} does not exist.`);
    const running = this.#running.get(jobId);
    if (running && job.status === 'IN_PROGRESS') {
      job.framesDone = running.progress.framesDone;
      if (running.progress.framesTotal !== undefined)
        job.framesTotal = running.progress.framesTotal;
      job.statusMessage = progressMessage(running);
    }
    return job;
  }

  /** Stops every job (they end FAILED, saying the server stopped) and waits for them. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const running of this.#running.values()) running.stop = true;
    for (const wake of this.#waiting.splice(0)) wake();
    await Promise.allSettled([...this.#settled]);
  }

  async #startNew(request: VideoJobRequest, requestKey: string): Promise<string> {
    const { limits, store, now } = this.#services;
    if (this.#closed) throw new InternalServerError('The server is shutting down.');
    if (this.#running.size + this.#starting >= limits.maxVideoJobsInProgress) {
      throw new LimitExceededException(
        `Too many video jobs in progress: ${this.#running.size + this.#starting}; at most ${limits.maxVideoJobsInProgress} run or wait at once. Start this one when one of them has finished.`,
      );
    }
    const decoder = this.#services.decoder;
    if (!decoder) {
      // As for a server without face models (see defaultAnalyzer): a configuration it lacks.
      throw new AccessDeniedException(
        'This server cannot decode video: start it with a video decoder (facekit serve needs ffmpeg and ffprobe installed).',
      );
    }
    this.#starting++;
    let bytes: AsyncIterable<Uint8Array>;
    try {
      bytes = await this.#videoBytes(request.video);
    } finally {
      this.#starting--;
    }
    const job: VideoJob = {
      jobId: crypto.randomUUID().replace(/-/g, ''),
      kind: request.kind,
      status: 'IN_PROGRESS',
      video: request.video,
      requestKey,
      createdAt: now(),
      sampleIntervalMs: limits.videoSampleIntervalMs,
      ...(request.jobTag === undefined ? {} : { jobTag: request.jobTag }),
      ...(request.clientRequestToken === undefined
        ? {}
        : { clientRequestToken: request.clientRequestToken }),
      ...(request.faceAttributes === undefined ? {} : { faceAttributes: request.faceAttributes }),
      ...(request.collectionId === undefined ? {} : { collectionId: request.collectionId }),
      ...(request.faceMatchThreshold === undefined
        ? {}
        : { faceMatchThreshold: request.faceMatchThreshold }),
    };
    // The copy starts now, while the job may still wait for its turn.
    const opening = decoder.open(bytes, { maxBytes: limits.maxVideoBytes });
    opening.catch(() => undefined);
    const running: Running = { progress: { framesDone: 0 }, phase: 'waiting', stop: false };
    this.#running.set(job.jobId, running);
    try {
      await store.save(job);
    } catch (error) {
      this.#running.delete(job.jobId);
      void opening.then((video) => video.close()).catch(() => undefined);
      throw error;
    }
    const settled = this.#run(job, request, opening, running).finally(() => {
      this.#running.delete(job.jobId);
      this.#settled.delete(settled);
    });
    this.#settled.add(settled);
    return job.jobId;
  }

  /** The video's bytes as a stream, its errors thrown now (before the job exists). */
  async #videoBytes(video: Video): Promise<AsyncIterable<Uint8Array>> {
    const object = video.S3Object;
    if (!object?.Bucket || !object.Name) {
      throw new InvalidS3ObjectException(
        'Request has invalid S3 object: Video.S3Object needs both Bucket and Name.',
      );
    }
    const objects = this.#services.objects;
    if (!objects) {
      throw new InvalidS3ObjectException(
        'Video.S3Object cannot be read: this server has no S3 source configured. Start it with an S3-compatible endpoint (facekit serve --s3-endpoint URL) or buckets mapped to folders (--s3-bucket-dir BUCKET=DIR).',
      );
    }
    const location = {
      bucket: object.Bucket,
      name: object.Name,
      ...(object.Version === undefined ? {} : { version: object.Version }),
    };
    const where = `s3://${object.Bucket}/${object.Name}${object.Version === undefined ? '' : ` version ${object.Version}`}`;
    const maxBytes = this.#services.limits.maxVideoBytes;
    try {
      if (objects.stream) return await objects.stream(location, { maxBytes });
      const whole = await objects.read(location, { maxBytes });
      return (async function* () {
        yield whole;
      })();
    } catch (error) {
      if (!ImageObjectReadError.isInstance(error)) throw error;
      if (error.reason === 'too-large') {
        throw new VideoTooLargeException(
          `The video ${where} is larger than ${maxBytes} bytes, the largest this server accepts.`,
        );
      }
      throw new InvalidS3ObjectException(
        `Unable to get object from S3: ${describeObjectFailure(error.reason)} (Video.S3Object ${where}). ${error.message}`,
        { cause: error },
      );
    }
  }

  async #run(
    job: VideoJob,
    request: VideoJobRequest,
    opening: Promise<OpenedVideo>,
    running: Running,
  ): Promise<void> {
    const { store, limits, now } = this.#services;
    let video: OpenedVideo | undefined;
    const finish = async (update: Partial<VideoJob>) => {
      Object.assign(job, update, { completedAt: now(), framesDone: running.progress.framesDone });
      await store.save(job).catch(() => undefined);
    };
    try {
      await this.#turn();
      running.phase = 'reading';
      try {
        video = await opening;
        if (running.stop) throw stopped();
        const info = await video.probe();
        const metadata: VideoMetadata = {
          Codec: info.codec,
          DurationMillis: Math.round(info.durationMillis),
          Format: info.format,
          FrameRate: info.frameRate,
          FrameHeight: info.frameHeight,
          FrameWidth: info.frameWidth,
          ...(info.colorRange ? { ColorRange: info.colorRange } : {}),
        };
        if (info.durationMillis > limits.maxVideoDurationMs) {
          await finish({
            status: 'FAILED',
            videoMetadata: metadata,
            statusMessage: `The video is ${Math.round(info.durationMillis / 1000)} s long; this server analyses videos up to ${Math.round(limits.maxVideoDurationMs / 1000)} s.`,
          });
          return;
        }
        running.progress.framesTotal =
          Math.floor(info.durationMillis / limits.videoSampleIntervalMs) + 1;
        Object.assign(job, { videoMetadata: metadata, framesTotal: running.progress.framesTotal });
        await store.save(job);
        const frames = video.frames({
          intervalMs: limits.videoSampleIntervalMs,
          maxSide: limits.maxVideoFrameSide,
        });
        running.phase = 'analysing';
        const onFrame = (done: number) => {
          running.progress.framesDone = done;
          return !running.stop;
        };
        const analysis = { analyzer: request.analyzer, onFrame };
        if (request.kind === 'face-detection') {
          const faces = await detectVideoFaces(frames, {
            ...analysis,
            attributes: request.faceAttributes ?? 'DEFAULT',
          });
          if (running.stop) throw stopped();
          await finish({ status: 'SUCCEEDED', faces });
        } else {
          const persons = await searchVideoPersons(frames, {
            ...analysis,
            attributes: 'DEFAULT',
            maxFaces: 100,
            search: (embedding) => {
              running.phase = 'searching';
              return request.search ? request.search(embedding) : Promise.resolve([]);
            },
          });
          if (running.stop) throw stopped();
          await finish({ status: 'SUCCEEDED', persons });
        }
      } finally {
        this.#release();
      }
    } catch (error) {
      await finish({ status: 'FAILED', statusMessage: failureMessage(error) });
    } finally {
      await (video ?? (await opening.catch(() => undefined)))?.close().catch(() => undefined);
    }
  }

  /** Waits until fewer than `maxRunningVideoJobs` jobs analyse. */
  async #turn(): Promise<void> {
    while (this.#active >= this.#services.limits.maxRunningVideoJobs) {
      if (this.#closed) throw stopped();
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    if (this.#closed) throw stopped();
    this.#active++;
  }

  #release(): void {
    this.#active--;
    this.#waiting.shift()?.();
  }
}

class JobStopped extends Error {}

function stopped(): JobStopped {
  return new JobStopped('The server stopped while this job was in progress; start it again.');
}

function failureMessage(error: unknown): string {
  if (error instanceof JobStopped || VideoDecodeError.isInstance(error)) return error.message;
  if (error instanceof Error) return `The video could not be analysed: ${error.message}`;
  return `The video could not be analysed: ${String(error)}`;
}
