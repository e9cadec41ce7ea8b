import type { VideoJobLimits } from '../video/video-job-runner.js';

/** Limits and defaults the Rekognition model leaves to the service. */
export interface FaceServiceLimits extends VideoJobLimits {
  /** Faces one collection may hold (Rekognition: 20 million). */
  maxFacesPerCollection: number;
  /** Faces IndexFaces indexes from one image at most (Rekognition: 100). */
  maxFacesPerImage: number;
  /** Faces one UserID may own (Rekognition: 100). */
  maxFacesPerUser: number;
  /** Tags on one collection (AWS tagging: 50). */
  maxTagsPerResource: number;
  /** Page size of ListCollections/ListFaces when `MaxResults` is absent or 0. */
  defaultPageSize: number;
  /** Page size of ListUsers when `MaxResults` is absent. */
  defaultUserPageSize: number;
  /** SearchFaces `MaxFaces` when absent (the API's maximum). */
  defaultMaxFaces: number;
  /** SearchUsers `MaxUsers` when absent (the API's maximum). */
  defaultMaxUsers: number;
  /** How long a `ClientRequestToken` is remembered, in milliseconds. */
  idempotencyTtlMs: number;
  /** How many tokens are remembered at most. */
  idempotencyMaxEntries: number;
}

/** Rekognition's documented quotas and page sizes, the defaults of {@link FaceServiceLimits}. */
export const defaultFaceServiceLimits: FaceServiceLimits = {
  maxFacesPerCollection: 20_000_000,
  maxFacesPerImage: 100,
  maxFacesPerUser: 100,
  maxTagsPerResource: 50,
  defaultPageSize: 1000,
  defaultUserPageSize: 500,
  defaultMaxFaces: 4096,
  defaultMaxUsers: 500,
  idempotencyTtlMs: 24 * 60 * 60 * 1000,
  idempotencyMaxEntries: 10_000,
  maxRunningVideoJobs: 1,
  maxVideoJobsInProgress: 20,
  videoSampleIntervalMs: 500,
  maxVideoBytes: 10 * 1024 ** 3,
  maxVideoDurationMs: 6 * 60 * 60 * 1000,
  maxVideoFrameSide: 1920,
};
