import { ResourceNotFoundException } from '../../errors/exceptions.js';
import type { PersonMatch } from '../../model/wire-types.generated.js';
import type { VideoJob } from '../../video/video-job-store.js';
import { analyzerFor, defaultAnalyzer, nextToken, pageCursor } from '../service-context.js';
import { collectionThreshold, faceMatches } from './matching.js';
import { defineOperations } from './operation.js';

/** Results per Get… page: `MaxResults` (default and most: 1000, as documented). */
const MAX_RESULTS = 1000;
/** Matches listed per person, best first. */
const MAX_FACE_MATCHES_PER_PERSON = 10;

/**
 * The stored-video operations: Start… queues a job over `Video.S3Object` (see
 * `video/video-job-runner.ts`), Get… reports its status and pages through its results.
 */
export const videoOperations = defineOperations({
  /**
   * Starts finding the faces in a stored video, frame by sampled frame; poll GetFaceDetection
   * with the returned `JobId`. `FaceAttributes: 'ALL'` adds the attributes the analyzer computes.
   * `NotificationChannel` (SNS) is refused.
   * @throws {InvalidS3ObjectException} when the video cannot be read.
   * @throws {LimitExceededException} when too many jobs are in progress.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_StartFaceDetection.html
   */
  async startFaceDetection(context, input) {
    const analyzer = defaultAnalyzer(context, 'StartFaceDetection');
    const JobId = await context.videoJobs.start({
      kind: 'face-detection',
      video: input.Video,
      clientRequestToken: input.ClientRequestToken,
      jobTag: input.JobTag,
      notificationChannel: input.NotificationChannel,
      faceAttributes: input.FaceAttributes,
      analyzer,
    });
    return { JobId };
  },

  /**
   * The status of a face detection job and, once SUCCEEDED, its faces by timestamp (ms from the
   * start of the video), `MaxResults` (at most 1000) a page.
   * @throws {ResourceNotFoundException} for an unknown `JobId`.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_GetFaceDetection.html
   */
  async getFaceDetection(context, input) {
    const job = await jobOf(context, input.JobId, 'face-detection');
    const page = pageOf(
      job.faces ?? [],
      `GetFaceDetection:${job.jobId}`,
      input.MaxResults,
      input.NextToken,
    );
    return { ...jobStatus(job), Faces: page.items, ...page.next };
  },

  /**
   * Starts searching `CollectionId` for the people in a stored video: faces are tracked across
   * frames into persons (`Person.Index`), and each person is searched with their faces' mean
   * embedding, matches at or above `FaceMatchThreshold` (default 80). `NotificationChannel` is
   * refused.
   * @throws {ResourceNotFoundException} for an unknown collection.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_StartFaceSearch.html
   */
  async startFaceSearch(context, input, options) {
    const collection = await context.store.describeCollection(input.CollectionId);
    const threshold = collectionThreshold(context, collection, input.FaceMatchThreshold, options);
    const analyzer = analyzerFor(context, 'StartFaceSearch', collection);
    const JobId = await context.videoJobs.start({
      kind: 'face-search',
      video: input.Video,
      clientRequestToken: input.ClientRequestToken,
      jobTag: input.JobTag,
      notificationChannel: input.NotificationChannel,
      collectionId: input.CollectionId,
      faceMatchThreshold: threshold,
      analyzer,
      // The collection as it is when the job runs: faces indexed meanwhile are found.
      search: async (embedding) =>
        faceMatches(
          context,
          await context.store.describeCollection(input.CollectionId),
          embedding,
          { threshold, maxFaces: MAX_FACE_MATCHES_PER_PERSON },
        ),
    });
    return { JobId };
  },

  /**
   * The status of a face search job and, once SUCCEEDED, every tracked person at every sampled
   * timestamp with the collection's matches; `SortBy` TIMESTAMP (default) or INDEX (by person,
   * then time). Faces carry the DEFAULT attributes only, as documented.
   * @throws {ResourceNotFoundException} for an unknown `JobId`.
   * @see https://docs.aws.amazon.com/rekognition/latest/APIReference/API_GetFaceSearch.html
   */
  async getFaceSearch(context, input) {
    const job = await jobOf(context, input.JobId, 'face-search');
    const sortBy = input.SortBy ?? 'TIMESTAMP';
    const persons = [...(job.persons ?? [])];
    if (sortBy === 'INDEX') persons.sort(byIndex);
    const page = pageOf(
      persons,
      `GetFaceSearch:${job.jobId}:${sortBy}`,
      input.MaxResults,
      input.NextToken,
    );
    return { ...jobStatus(job), Persons: page.items, ...page.next };
  },
});

async function jobOf(
  context: Parameters<typeof videoOperations.getFaceSearch>[0],
  jobId: string,
  kind: VideoJob['kind'],
): Promise<VideoJob> {
  const job = await context.videoJobs.get(jobId);
  // A face detection job is no face search job: the wrong Get… does not see it.
  if (job.kind !== kind) {
    throw new ResourceNotFoundException(`The job ${jobId} is not a ${kind} job.`);
  }
  return job;
}

function jobStatus(job: VideoJob) {
  return {
    JobId: job.jobId,
    JobStatus: job.status,
    ...(job.statusMessage === undefined ? {} : { StatusMessage: job.statusMessage }),
    ...(job.videoMetadata === undefined ? {} : { VideoMetadata: job.videoMetadata }),
    Video: job.video,
    ...(job.jobTag === undefined ? {} : { JobTag: job.jobTag }),
  };
}

/** One page of a finished job's results; the cursor is the offset of the next item. */
function pageOf<T>(
  items: readonly T[],
  listing: string,
  maxResults: number | undefined,
  token: string | undefined,
): { items: T[]; next: { NextToken?: string } } {
  const size = Math.min(maxResults ?? MAX_RESULTS, MAX_RESULTS);
  const start = Number(pageCursor(listing, token) ?? 0) || 0;
  const end = start + size;
  return {
    items: items.slice(start, end),
    next: nextToken(listing, end < items.length ? String(end) : undefined),
  };
}

function byIndex(a: PersonMatch, b: PersonMatch): number {
  return (a.Person?.Index ?? 0) - (b.Person?.Index ?? 0) || (a.Timestamp ?? 0) - (b.Timestamp ?? 0);
}
