import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateCollectionCommand,
  GetFaceDetectionCommand,
  GetFaceSearchCommand,
  type GetFaceSearchCommandOutput,
  IndexFacesCommand,
  RekognitionClient,
  StartFaceDetectionCommand,
  StartFaceSearchCommand,
} from '@aws-sdk/client-rekognition';
import { type CliResult, runCli } from '@facekit/cli';
import { renderSlideshow } from '@facekit/video-ffmpeg';
import type S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsRekognition } from './aws-cli-client.js';
import { s3rverKeys, startS3Uploads } from './s3-uploads.js';
import {
  appearances,
  examplesDir,
  indexedPhotos,
  scenes,
  videoTestsUnavailable,
} from './video-scenes.js';

/**
 * StartFaceDetection/StartFaceSearch through the AWS SDK and the `aws` CLI against `facekit
 * serve`, on a slideshow rendered here from real photos (video-scenes.ts): the video read from an
 * S3 server on loopback (s3rver) and from a bucket mapped to a folder, results checked against
 * who is on screen when, and jobs read back after a restart.
 */

const reason = videoTestsUnavailable ? ` (${videoTestsUnavailable})` : '';

describe.skipIf(reason !== '')(`stored video through facekit serve${reason}`, () => {
  let home: string;
  let s3rver: S3rver;
  let s3Endpoint: string;
  let server: CliResult | undefined;
  let client: RekognitionClient;
  /** Sampling interval of the server, from a job's results (the default). */
  let searchJobId: string;

  const serve = async () => {
    const started = await runCli(
      [
        ...['serve', '--port', '0', '--data-dir', join(home, 'data'), '--log-level', 'silent'],
        ...['--face-model', '1.0', '--s3-bucket-dir', `videos=${join(home, 'videos')}`],
        ...['--s3-bucket-dir', `photos=${examplesDir}`, '--s3-endpoint', s3Endpoint],
        ...['--s3-force-path-style', '--s3-access-key-id', s3rverKeys.accessKeyId],
        ...['--s3-secret-access-key', s3rverKeys.secretAccessKey],
      ],
      { env: {} },
    );
    if (started.kind !== 'serving') throw new Error('facekit serve did not start');
    server = started;
    client?.destroy();
    client = new RekognitionClient({
      endpoint: started.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'facekit-video-'));
    mkdirSync(join(home, 'videos'));
    const video = join(home, 'videos', 'clip.mp4');
    await renderSlideshow(scenes, video, { width: 1280, height: 720 });
    ({ s3rver, endpoint: s3Endpoint } = await startS3Uploads(join(home, 's3'), {
      'in/clip.mp4': readFileSync(video),
    }));
    await serve();
    await client.send(new CreateCollectionCommand({ CollectionId: 'people' }));
    for (const [name, photo] of Object.entries(indexedPhotos)) {
      await client.send(
        new IndexFacesCommand({
          CollectionId: 'people',
          ExternalImageId: name,
          MaxFaces: 1,
          Image: { S3Object: { Bucket: 'photos', Name: photo } },
        }),
      );
    }
  }, 120_000);

  afterAll(async () => {
    client?.destroy();
    if (server?.kind === 'serving') await server.close();
    await s3rver?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  async function poll<T extends { JobStatus?: string }>(get: () => Promise<T>): Promise<T> {
    for (;;) {
      const result = await get();
      if (result.JobStatus !== 'IN_PROGRESS') return result;
      await new Promise<void>((resolve) => setTimeout(() => resolve(), 250));
    }
  }

  it('StartFaceSearch (video on S3) finds who appears when, one Person.Index each, across cuts', async () => {
    const { JobId } = await client.send(
      new StartFaceSearchCommand({
        CollectionId: 'people',
        Video: { S3Object: { Bucket: 'uploads', Name: 'in/clip.mp4' } },
        JobTag: 'clip',
        ClientRequestToken: 'search-1',
      }),
    );
    searchJobId = JobId as string;
    // The same token again: the same job.
    const again = await client.send(
      new StartFaceSearchCommand({
        CollectionId: 'people',
        Video: { S3Object: { Bucket: 'uploads', Name: 'in/clip.mp4' } },
        JobTag: 'clip',
        ClientRequestToken: 'search-1',
      }),
    );
    expect(again.JobId).toBe(JobId);
    const pages: GetFaceSearchCommandOutput[] = [
      await poll(() => client.send(new GetFaceSearchCommand({ JobId, MaxResults: 10 }))),
    ];
    while (pages.at(-1)?.NextToken) {
      const NextToken = pages.at(-1)?.NextToken;
      pages.push(await client.send(new GetFaceSearchCommand({ JobId, MaxResults: 10, NextToken })));
    }
    const first = pages[0];
    expect(first).toMatchObject({
      JobStatus: 'SUCCEEDED',
      JobTag: 'clip',
      VideoMetadata: {
        Codec: 'h264',
        Format: 'QuickTime / MOV',
        DurationMillis: 12_000,
        FrameRate: 25,
        FrameWidth: 1280,
        FrameHeight: 720,
        ColorRange: 'LIMITED',
      },
    });
    const persons = pages.flatMap((p) => p.Persons ?? []);
    const timestamps = persons.map((p) => p.Timestamp ?? -1);
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    const interval = timestamps.filter((t) => t > 0).reduce((a, b) => Math.min(a, b), 10_000);

    // Per person index: who the collection says they are, and when they are seen.
    const byIndex = new Map<number, { who: Set<string | undefined>; times: number[] }>();
    for (const p of persons) {
      const entry = byIndex.get(p.Person?.Index ?? -1) ?? { who: new Set(), times: [] };
      entry.who.add(p.FaceMatches?.[0]?.Face?.ExternalImageId);
      entry.times.push(p.Timestamp ?? -1);
      byIndex.set(p.Person?.Index ?? -1, entry);
    }
    // Three people: Obama (twice, one index), Biden, and one the collection does not know.
    expect(byIndex.size).toBe(3);
    for (const [who, from, to] of appearances) {
      const person = [...byIndex.values()].find((e) => e.who.has(who));
      expect(person, `${who ?? 'the unknown person'} found`).toBeDefined();
      expect(person?.who.size, `${who} has one identity`).toBe(1);
      const seen = person?.times.filter((t) => t >= from - interval && t < to + interval) ?? [];
      expect(Math.min(...seen)).toBeLessThanOrEqual(from + interval);
      expect(Math.max(...seen)).toBeGreaterThanOrEqual(to - interval);
    }
    // Nobody during the black shot.
    expect(timestamps.filter((t) => t > 3000 && t < 4000)).toEqual([]);

    const byPerson = await client.send(new GetFaceSearchCommand({ JobId, SortBy: 'INDEX' }));
    const indexes = byPerson.Persons?.map((p) => p.Person?.Index ?? -1) ?? [];
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(byPerson.Persons?.[0].Person?.Face?.Smile).toBeUndefined();
  }, 180_000);

  it('StartFaceDetection (video in a folder bucket) with FaceAttributes ALL, paged', async () => {
    const { JobId } = await client.send(
      new StartFaceDetectionCommand({
        Video: { S3Object: { Bucket: 'videos', Name: 'clip.mp4' } },
        FaceAttributes: 'ALL',
      }),
    );
    const first = await poll(() =>
      client.send(new GetFaceDetectionCommand({ JobId, MaxResults: 5 })),
    );
    expect(first.JobStatus).toBe('SUCCEEDED');
    expect(first.Faces).toHaveLength(5);
    expect(first.Faces?.[0].Face?.AgeRange).toBeDefined();
    expect(first.Faces?.[0].Face?.FaceOccluded).toBeUndefined();
    const rest = await client.send(
      new GetFaceDetectionCommand({ JobId, NextToken: first.NextToken }),
    );
    const all = [...(first.Faces ?? []), ...(rest.Faces ?? [])];
    expect(rest.NextToken).toBeUndefined();
    // One face in every sampled frame but the black shot's.
    expect(all.every((f) => (f.Timestamp ?? 0) < 3000 || (f.Timestamp ?? 0) >= 4000)).toBe(true);
    expect(new Set(all.map((f) => f.Timestamp)).size).toBeGreaterThan(15);
  }, 180_000);

  it('refuses NotificationChannel and a missing video with the documented errors', async () => {
    await expect(
      client.send(
        new StartFaceDetectionCommand({
          Video: { S3Object: { Bucket: 'videos', Name: 'clip.mp4' } },
          NotificationChannel: {
            SNSTopicArn: 'arn:aws:sns:us-east-1:123456789012:AmazonRekognitionJobs',
            RoleArn: 'arn:aws:iam::123456789012:role/rekognition',
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(
      client.send(
        new StartFaceDetectionCommand({
          Video: { S3Object: { Bucket: 'uploads', Name: 'missing.mp4' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidS3ObjectException' });
    await expect(
      client.send(new GetFaceDetectionCommand({ JobId: 'no-such-job' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('the aws CLI starts face detection and face search jobs and polls them', async () => {
    const url = server?.kind === 'serving' ? server.url : '';
    const aws = awsRekognition(url, home);
    const { JobId } = (await aws(
      'start-face-detection',
      '--video',
      'S3Object={Bucket=videos,Name=clip.mp4}',
    )) as { JobId: string };
    // The job runs while the aws CLI starts up; poll until it is done.
    let result: Record<string, unknown>;
    do result = await aws('get-face-detection', '--job-id', JobId, '--max-results', '3');
    while (result.JobStatus === 'IN_PROGRESS');
    expect(result.JobStatus).toBe('SUCCEEDED');
    expect(result.Faces).toHaveLength(3);
    expect(result.NextToken).toEqual(expect.any(String));

    const search = (await aws(
      'start-face-search',
      '--collection-id',
      'people',
      '--video',
      'S3Object={Bucket=videos,Name=clip.mp4}',
    )) as { JobId: string };
    do result = await aws('get-face-search', '--job-id', search.JobId, '--sort-by', 'INDEX');
    while (result.JobStatus === 'IN_PROGRESS');
    expect(result.JobStatus).toBe('SUCCEEDED');
    const persons = result.Persons as { Person: { Index: number }; FaceMatches?: unknown[] }[];
    // The clip's three people (two known to the collection), each under one index.
    expect(new Set(persons.map((p) => p.Person.Index)).size).toBe(3);
    expect(persons.some((p) => (p.FaceMatches ?? []).length > 0)).toBe(true);
  }, 180_000);

  it('keeps finished jobs across a restart', async () => {
    if (server?.kind === 'serving') await server.close();
    await serve();
    const after = await client.send(
      new GetFaceSearchCommand({ JobId: searchJobId, MaxResults: 1 }),
    );
    expect(after).toMatchObject({ JobStatus: 'SUCCEEDED', JobTag: 'clip' });
    expect(after.Persons).toHaveLength(1);
  }, 60_000);
});
