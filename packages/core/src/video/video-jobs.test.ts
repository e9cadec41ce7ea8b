import { describe, expect, it } from 'vitest';
import type { AnalyzedFace, FaceAnalyzer } from '../analysis/face-analyzer.js';
import { linearSimilarityScale } from '../analysis/similarity-scale.js';
import { FaceService } from '../service/face-service.js';
import { ImageObjectReadError, type ImageObjectSource } from '../service/image-object-source.js';
import type { FaceStore } from '../storage/face-store.js';
import type { VideoDecoder, VideoFrame } from './video-decoder.js';
import { createMemoryVideoJobStore } from './video-job-store.js';

/**
 * A 3 s "video" whose bytes are its script: `A@0-1500,B@1000-3000` shows person A from 0 to
 * 1500 ms (left half) and B from 1000 to 3000 ms (right half). The fake decoder and analyzer
 * read the script, so the job machinery is tested without ffmpeg or models.
 */
const script = 'A@0-1500,B@1000-3000';

const objects: ImageObjectSource = {
  specificationVersion: 'v1',
  description: 'test objects',
  async read({ bucket, name }) {
    if (bucket !== 'videos') throw new ImageObjectReadError('no-such-bucket', `no ${bucket}`);
    if (name !== 'clip.mp4') throw new ImageObjectReadError('no-such-key', `no ${name}`);
    return new TextEncoder().encode(script);
  },
};

const decoder: VideoDecoder = {
  specificationVersion: 'v1',
  name: 'script decoder',
  async open(bytes) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of bytes) chunks.push(chunk);
    const text = new TextDecoder().decode(chunks[0]);
    let closed = false;
    return {
      byteLength: chunks[0].byteLength,
      async probe() {
        return {
          codec: 'h264',
          format: 'QuickTime / MOV',
          durationMillis: 3000,
          frameRate: 25,
          frameWidth: 64,
          frameHeight: 32,
          colorRange: 'LIMITED' as const,
        };
      },
      async *frames({ intervalMs }) {
        for (let t = 0; t <= 3000; t += intervalMs) {
          if (closed) return;
          const frame: VideoFrame & { script: string } = {
            width: 64,
            height: 32,
            data: new Uint8Array(64 * 32 * 3),
            timestampMs: t,
            script: text,
          };
          yield frame;
        }
      },
      async close() {
        closed = true;
      },
    };
  },
};

function embeddingOf(person: string): Float32Array {
  const v = new Float32Array(4);
  v[person.charCodeAt(0) - 65] = 1;
  return v;
}

const analyzer: FaceAnalyzer = {
  specificationVersion: 'v1',
  faceModelVersion: '1.0',
  similarity: linearSimilarityScale,
  analyze: () => Promise.reject(new Error('images are not analysed here')),
  async analyzePixels(image, options) {
    const { script: text, timestampMs } = image as VideoFrame & { script: string };
    const faces: AnalyzedFace[] = [];
    for (const part of text.split(',')) {
      const [who, range] = part.split('@');
      const [from, to] = range.split('-').map(Number);
      if (timestampMs < from || timestampMs > to) continue;
      faces.push({
        detail: {
          BoundingBox: { Left: who === 'A' ? 0.1 : 0.6, Top: 0.2, Width: 0.2, Height: 0.4 },
          Confidence: 99,
          FaceOccluded: { Value: false, Confidence: 90 },
          ...(options.attributes.includes('ALL') ? { Smile: { Value: true, Confidence: 80 } } : {}),
        },
        heightPx: 13,
        ...(options.embedLargest > faces.length ? { embedding: embeddingOf(who) } : {}),
      });
    }
    return { width: image.width, height: image.height, faces };
  },
};

/** A store with one collection `known` holding one face: person A's. */
const store = {
  describeCollection: async (id: string) => {
    if (id !== 'known')
      throw Object.assign(new Error('nope'), { name: 'ResourceNotFoundException' });
    return {
      collectionId: 'known',
      faceModelVersion: '1.0',
      createdAt: 0,
      faceCount: 1,
      userCount: 0,
    };
  },
  searchFaces: async (_id: string, vector: Float32Array) =>
    vector[0] > 0.9
      ? [
          {
            score: vector[0],
            face: {
              faceId: 'f-a',
              imageId: 'i-a',
              externalImageId: 'alice',
              confidence: 99,
              boundingBox: { width: 1, height: 1, left: 0, top: 0 },
              indexFacesModelVersion: '1.0',
            },
          },
        ]
      : [],
} as unknown as FaceStore;

const video = { S3Object: { Bucket: 'videos', Name: 'clip.mp4' } };

function service(limits = {}) {
  return new FaceService({
    store,
    analyzers: [analyzer],
    imageObjects: objects,
    videoDecoder: decoder,
    videoJobStore: createMemoryVideoJobStore(),
    limits: { videoSampleIntervalMs: 500, ...limits },
  });
}

async function finished<T extends { JobStatus?: string }>(get: () => Promise<T>): Promise<T> {
  for (;;) {
    const result = await get();
    if (result.JobStatus !== 'IN_PROGRESS') return result;
    await new Promise<void>((resolve) => setTimeout(() => resolve(), 5));
  }
}

describe('stored-video jobs', () => {
  it('StartFaceDetection finds every sampled face, by timestamp, with metadata and paging', async () => {
    const s = service();
    const { JobId } = await s.startFaceDetection({ Video: video, JobTag: 'clip-1' });
    expect(JobId).toMatch(/^[a-zA-Z0-9-_]+$/);
    const first = await finished(() =>
      s.getFaceDetection({ JobId: JobId as string, MaxResults: 4 }),
    );
    expect(first).toMatchObject({
      JobStatus: 'SUCCEEDED',
      JobTag: 'clip-1',
      Video: video,
      VideoMetadata: {
        Codec: 'h264',
        DurationMillis: 3000,
        FrameRate: 25,
        FrameWidth: 64,
        FrameHeight: 32,
        ColorRange: 'LIMITED',
      },
    });
    // A at 0, 500, 1000, 1500; B at 1000...3000: 4 + 5 faces, 4 a page.
    expect(first.Faces?.map((f) => f.Timestamp)).toEqual([0, 500, 1000, 1000]);
    expect(first.Faces?.[0].Face?.FaceOccluded).toBeUndefined();
    const rest = await s.getFaceDetection({ JobId: JobId as string, NextToken: first.NextToken });
    expect(rest.Faces?.map((f) => f.Timestamp)).toEqual([1500, 1500, 2000, 2500, 3000]);
    expect(rest.NextToken).toBeUndefined();
    await expect(s.getFaceSearch({ JobId: JobId as string })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('FaceAttributes ALL adds attributes', async () => {
    const s = service();
    const { JobId } = await s.startFaceDetection({ Video: video, FaceAttributes: 'ALL' });
    const done = await finished(() => s.getFaceDetection({ JobId: JobId as string }));
    expect(done.Faces?.[0].Face?.Smile).toEqual({ Value: true, Confidence: 80 });
  });

  it('StartFaceSearch tracks persons, matches the known one, and sorts by INDEX or TIMESTAMP', async () => {
    const s = service();
    const { JobId } = await s.startFaceSearch({ Video: video, CollectionId: 'known' });
    const byTime = await finished(() => s.getFaceSearch({ JobId: JobId as string }));
    expect(byTime.JobStatus).toBe('SUCCEEDED');
    const rows = (r: typeof byTime) =>
      r.Persons?.map(
        (p) =>
          `${p.Timestamp}:${p.Person?.Index}:${p.FaceMatches?.[0]?.Face?.ExternalImageId ?? '-'}`,
      );
    expect(rows(byTime)).toEqual([
      '0:0:alice',
      '500:0:alice',
      '1000:0:alice',
      '1000:1:-',
      '1500:0:alice',
      '1500:1:-',
      '2000:1:-',
      '2500:1:-',
      '3000:1:-',
    ]);
    const byIndex = await s.getFaceSearch({ JobId: JobId as string, SortBy: 'INDEX' });
    expect(rows(byIndex)?.slice(0, 5)).toEqual([
      '0:0:alice',
      '500:0:alice',
      '1000:0:alice',
      '1500:0:alice',
      '1000:1:-',
    ]);
    await expect(
      s.startFaceSearch({ Video: video, CollectionId: 'unknown' }),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('returns the same JobId for a repeated ClientRequestToken and refuses it with other parameters', async () => {
    const s = service();
    const a = await s.startFaceDetection({ Video: video, ClientRequestToken: 'tok-1' });
    const b = await s.startFaceDetection({ Video: video, ClientRequestToken: 'tok-1' });
    expect(b.JobId).toBe(a.JobId);
    await expect(
      s.startFaceDetection({ Video: video, ClientRequestToken: 'tok-1', JobTag: 'other' }),
    ).rejects.toMatchObject({ name: 'IdempotentParameterMismatchException' });
  });

  it('refuses unreadable objects, SNS channels, and jobs past the in-progress limit', async () => {
    const s = service({ maxVideoJobsInProgress: 1 });
    await expect(
      s.startFaceDetection({ Video: { S3Object: { Bucket: 'videos', Name: 'nope.mp4' } } }),
    ).rejects.toMatchObject({
      name: 'InvalidS3ObjectException',
      message: expect.stringContaining('does not exist'),
    });
    await expect(
      s.startFaceDetection({
        Video: video,
        NotificationChannel: {
          SNSTopicArn: 'arn:aws:sns:us-east-1:123456789012:AmazonRekognitionT',
          RoleArn: 'arn:aws:iam::123456789012:role/r',
        },
      }),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('poll'),
    });
    const { JobId } = await s.startFaceDetection({ Video: video });
    await expect(s.startFaceDetection({ Video: video })).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
    await finished(() => s.getFaceDetection({ JobId: JobId as string }));
    await expect(s.startFaceDetection({ Video: video })).resolves.toHaveProperty('JobId');
    await expect(s.getFaceDetection({ JobId: 'missing' })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('fails a job too long for the limit, and one stopped by closeVideoJobs, with a message', async () => {
    const short = service({ maxVideoDurationMs: 1000 });
    const { JobId } = await short.startFaceDetection({ Video: video });
    const failed = await finished(() => short.getFaceDetection({ JobId: JobId as string }));
    expect(failed).toMatchObject({
      JobStatus: 'FAILED',
      StatusMessage: expect.stringContaining('3 s long'),
    });

    const s = service({ videoSampleIntervalMs: 1 });
    const started = await s.startFaceDetection({ Video: video });
    const queued = await s.startFaceDetection({ Video: video });
    // One job runs at a time: the second waits, and says so.
    expect(await s.getFaceDetection({ JobId: queued.JobId as string })).toMatchObject({
      JobStatus: 'IN_PROGRESS',
      StatusMessage: expect.stringMatching(/^Waiting/),
    });
    await s.closeVideoJobs();
    expect(await s.getFaceDetection({ JobId: queued.JobId as string })).toMatchObject({
      JobStatus: 'FAILED',
    });
    const stopped = await s.getFaceDetection({ JobId: started.JobId as string });
    expect(stopped).toMatchObject({
      JobStatus: 'FAILED',
      StatusMessage: expect.stringContaining('stopped'),
    });
  });
});
