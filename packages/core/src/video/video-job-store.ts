import type {
  FaceAttributes,
  FaceDetection,
  PersonMatch,
  Video,
  VideoJobStatus,
  VideoMetadata,
} from '../model/wire-types.generated.js';

/** The two kinds of stored-video job: StartFaceDetection and StartFaceSearch. */
export type VideoJobKind = 'face-detection' | 'face-search';

/**
 * One stored-video job as kept in a {@link VideoJobStore}: the request that started it, its
 * status and, once it SUCCEEDED, its results in wire shapes (they are what Get… pages through).
 */
export interface VideoJob {
  jobId: string;
  kind: VideoJobKind;
  status: VideoJobStatus;
  /** Why the job FAILED. */
  statusMessage?: string;
  /** The request's `Video`, echoed by Get…. */
  video: Video;
  jobTag?: string;
  clientRequestToken?: string;
  /** The request's members that must match for a `ClientRequestToken` to be reused. */
  requestKey: string;
  faceAttributes?: FaceAttributes;
  collectionId?: string;
  faceMatchThreshold?: number;
  /** Epoch milliseconds. */
  createdAt: number;
  completedAt?: number;
  /** Sampled frames analysed so far, and how many there will be (for progress). */
  framesDone?: number;
  framesTotal?: number;
  /** The sampling interval used, in milliseconds. */
  sampleIntervalMs?: number;
  videoMetadata?: VideoMetadata;
  /** StartFaceDetection results, by timestamp. */
  faces?: FaceDetection[];
  /** StartFaceSearch results, by timestamp then person index. */
  persons?: PersonMatch[];
}

/**
 * Where a service keeps its video jobs, so GetFaceDetection/GetFaceSearch keep answering after a
 * restart. A store that outlives the process decides what an IN_PROGRESS job found on opening
 * becomes (`@facekit/video-ffmpeg`'s file store marks it FAILED, saying the server restarted).
 */
export interface VideoJobStore {
  readonly specificationVersion: 'v1';
  /** Where jobs are kept, for messages (`memory`, a folder). */
  readonly location: string;
  /** Creates or replaces a job. */
  save(job: VideoJob): Promise<void>;
  /** A job by id, or undefined. */
  load(jobId: string): Promise<VideoJob | undefined>;
  /** The job started with this `ClientRequestToken` for this kind, if any. */
  findByToken(kind: VideoJobKind, token: string): Promise<VideoJob | undefined>;
  /** Every job, oldest first, without results (`faces`/`persons` left out). */
  list(): Promise<VideoJob[]>;
}

/** Jobs in memory: lost on restart (the in-process CLI, tests). */
export function createMemoryVideoJobStore(): VideoJobStore {
  const jobs = new Map<string, VideoJob>();
  return {
    specificationVersion: 'v1',
    location: 'memory',
    async save(job) {
      jobs.set(job.jobId, copy(job));
    },
    async load(jobId) {
      const job = jobs.get(jobId);
      return job && copy(job);
    },
    async findByToken(kind, token) {
      for (const job of jobs.values()) {
        if (job.kind === kind && job.clientRequestToken === token) return copy(job);
      }
      return undefined;
    },
    async list() {
      return [...jobs.values()]
        .sort((a, b) => a.createdAt - b.createdAt)
        .map(({ faces: _f, persons: _p, ...job }) => copy(job));
    },
  };
}

/** A deep copy, so callers cannot change what is stored (jobs are plain JSON). */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value));
