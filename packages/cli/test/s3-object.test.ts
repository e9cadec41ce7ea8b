import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompareFacesCommand,
  CreateCollectionCommand,
  DetectFacesCommand,
  type Image,
  IndexFacesCommand,
  RekognitionClient,
  SearchFacesByImageCommand,
  SearchUsersByImageCommand,
} from '@aws-sdk/client-rekognition';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../src/index.js';
import { fakeIo } from './io.js';
import { modelsBuilt, realPhotoSkipReason, samplePhotosDir } from './real-photo-setup.js';

const samplesDir = samplePhotosDir();
const skipReason = realPhotoSkipReason();
const sample = (n: number) => readFileSync(join(samplesDir, `sample${n}.jpg`));

/** s3rver's default keys. */
const s3Keys = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** The error name and message an SDK call failed with. */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'succeeded';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe.skipIf(skipReason !== '')(
  `Image.S3Object through the AWS SDK against facekit serve${skipReason}`,
  () => {
    let tmp: string;
    let s3rver: S3rver;
    let server: CliResult & { kind: 'serving' };
    let rekognition: RekognitionClient;
    const s3 = (Bucket: string, Name: string, Version?: string): Image => ({
      S3Object: { Bucket, Name, ...(Version ? { Version } : {}) },
    });

    beforeAll(async () => {
      tmp = await mkdtemp(join(tmpdir(), 'facekit-s3object-'));
      mkdirSync(join(tmp, 's3'));
      s3rver = new S3rver({
        port: 0,
        address: '127.0.0.1',
        silent: true,
        directory: join(tmp, 's3'),
        configureBuckets: [{ name: 'photos', configs: [] }],
      });
      const { port } = await s3rver.run();
      const endpoint = `http://127.0.0.1:${port}`;
      const put = new S3Client({
        region: 'us-east-1',
        endpoint,
        forcePathStyle: true,
        credentials: s3Keys,
      });
      for (const n of [1, 2, 3]) {
        await put.send(
          new PutObjectCommand({ Bucket: 'photos', Key: `people/sample${n}.jpg`, Body: sample(n) }),
        );
      }
      // Over 15 MiB: a valid JPEG head padded with zeros (refused before it is decoded).
      const huge = new Uint8Array(15 * 1024 * 1024 + 1);
      huge.set(sample(1).subarray(0, 1024));
      await put.send(new PutObjectCommand({ Bucket: 'photos', Key: 'huge.jpg', Body: huge }));
      put.destroy();

      // A folder bucket, and a file beside it that a link inside points to.
      const album = join(tmp, 'album');
      mkdirSync(album);
      writeFileSync(join(album, 'sample2.jpg'), sample(2));
      writeFileSync(join(tmp, 'private.jpg'), sample(3));
      symlinkSync(join(tmp, 'private.jpg'), join(album, 'link.jpg'));

      const terminal = fakeIo(
        {
          FACEKIT_S3_ACCESS_KEY_ID: s3Keys.accessKeyId,
          FACEKIT_S3_SECRET_ACCESS_KEY: s3Keys.secretAccessKey,
        },
        tmp,
      );
      const result = await runCli(
        [
          'serve',
          '--port',
          '0',
          '--store',
          'memory',
          '--face-model',
          '1.0',
          '--log-level',
          'silent',
          '--s3-endpoint',
          endpoint,
          '--s3-force-path-style',
          '--s3-bucket-dir',
          `album=${album}`,
        ],
        terminal.io,
      );
      if (result.kind !== 'serving') throw new Error(`not serving: ${terminal.stderr()}`);
      server = result;
      rekognition = new RekognitionClient({
        endpoint: server.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      });
    }, 120_000);

    afterAll(async () => {
      rekognition?.destroy();
      await server?.close();
      await s3rver?.close();
      await rm(tmp, { recursive: true, force: true });
    });

    it('DetectFaces finds the same faces in an S3 object as in the same bytes', async () => {
      const fromS3 = await rekognition.send(
        new DetectFacesCommand({ Image: s3('photos', 'people/sample1.jpg') }),
      );
      const fromBytes = await rekognition.send(
        new DetectFacesCommand({ Image: { Bytes: sample(1) } }),
      );
      expect(fromS3.FaceDetails?.length).toBeGreaterThanOrEqual(2);
      expect(fromS3.FaceDetails).toEqual(fromBytes.FaceDetails);
    });

    it('IndexFaces, SearchFacesByImage, SearchUsersByImage and CompareFaces read S3 and folders', async () => {
      await rekognition.send(new CreateCollectionCommand({ CollectionId: 's3' }));
      const indexed = await rekognition.send(
        new IndexFacesCommand({
          CollectionId: 's3',
          Image: s3('photos', 'people/sample2.jpg'),
          ExternalImageId: 'sample2',
        }),
      );
      const indexedIds = indexed.FaceRecords?.map((r) => r.Face?.FaceId) ?? [];
      expect(indexedIds.length).toBeGreaterThanOrEqual(2);
      const searched = await rekognition.send(
        new SearchFacesByImageCommand({ CollectionId: 's3', Image: s3('album', 'sample2.jpg') }),
      );
      // The same photo from a folder bucket: its largest face is one of those indexed from S3.
      expect(indexedIds).toContain(searched.FaceMatches?.[0]?.Face?.FaceId);
      expect(searched.FaceMatches?.[0]?.Similarity).toBeGreaterThan(99);
      const users = await rekognition.send(
        new SearchUsersByImageCommand({ CollectionId: 's3', Image: s3('album', 'sample2.jpg') }),
      );
      expect(users.SearchedFace?.FaceDetail?.BoundingBox).toEqual(searched.SearchedFaceBoundingBox);
      const compared = await rekognition.send(
        new CompareFacesCommand({
          SourceImage: s3('album', 'sample2.jpg'),
          TargetImage: s3('photos', 'people/sample2.jpg'),
        }),
      );
      expect(compared.FaceMatches?.[0]?.Similarity).toBeGreaterThan(99);
    });

    it('says which of bucket, key and version is missing, and refuses large objects', async () => {
      const detect = (image: Image) => rekognition.send(new DetectFacesCommand({ Image: image }));
      expect(await failure(detect(s3('nobucket', 'a.jpg')))).toMatch(
        /^InvalidS3ObjectException: .*the bucket does not exist .*s3:\/\/nobucket\/a\.jpg/,
      );
      expect(await failure(detect(s3('photos', 'people/missing.jpg')))).toMatch(
        /^InvalidS3ObjectException: .*the object does not exist/,
      );
      expect(await failure(detect(s3('album', 'sample2.jpg', 'v1')))).toMatch(
        /^InvalidS3ObjectException: .*the object has no such version .*have no versions/,
      );
      expect(await failure(detect(s3('photos', 'huge.jpg')))).toMatch(
        /^ImageTooLargeException: .*15 MiB/,
      );
      expect(
        await failure(
          rekognition.send(
            new CompareFacesCommand({
              SourceImage: s3('photos', 'people/sample1.jpg'),
              TargetImage: s3('photos', 'people/gone.jpg'),
            }),
          ),
        ),
      ).toMatch(
        /^InvalidS3ObjectException: .*TargetImage\.S3Object s3:\/\/photos\/people\/gone\.jpg/,
      );
    });

    it('facekit detect and compare take s3:// images, in-process and with --endpoint', async () => {
      const inProcess = fakeIo(
        { FACEKIT_STORE: 'memory', FACEKIT_S3_BUCKET_DIRS: `album=${join(tmp, 'album')}` },
        tmp,
      );
      const detected = await runCli(
        ['detect', 's3://album/sample2.jpg', '--output', 'json'],
        inProcess.io,
      );
      expect(detected, inProcess.stderr()).toEqual({ kind: 'exit', exitCode: 0 });
      expect(JSON.parse(inProcess.stdout()).FaceDetails.length).toBeGreaterThanOrEqual(2);

      const remote = fakeIo({ AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' }, tmp);
      const compared = await runCli(
        [
          'compare',
          's3://album/sample2.jpg',
          's3://photos/people/sample2.jpg',
          '--endpoint',
          server.url,
          '--output',
          'json',
        ],
        remote.io,
      );
      expect(compared, remote.stderr()).toEqual({ kind: 'exit', exitCode: 0 });
      expect(JSON.parse(remote.stdout()).FaceMatches[0].Similarity).toBeGreaterThan(99);
    }, 60_000);

    it('never reads outside a bucket folder', async () => {
      const detect = (name: string) =>
        failure(rekognition.send(new DetectFacesCommand({ Image: s3('album', name) })));
      expect(await detect('../private.jpg')).toMatch(
        /^InvalidS3ObjectException: .*access .*denied/,
      );
      expect(await detect(join(tmp, 'private.jpg'))).toMatch(/^InvalidS3ObjectException: .*denied/);
      expect(await detect('link.jpg')).toMatch(/^InvalidS3ObjectException: .*outside the bucket/);
    });
  },
);

describe('Image.S3Object without an S3 source', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'facekit-s3none-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('refuses bad --s3 flags before serving', async () => {
    const terminal = fakeIo({ FACEKIT_FACE_MODEL: 'none' }, tmp);
    const result = await runCli(
      ['serve', '--port', '0', '--store', 'memory', '--s3-bucket-dir', 'photos'],
      terminal.io,
    );
    expect(result).toEqual({ kind: 'exit', exitCode: 2 });
    expect(terminal.stderr()).toMatch(/invalid --s3-bucket-dir 'photos': expected BUCKET=DIR/);
    const badBucket = fakeIo({ FACEKIT_FACE_MODEL: 'none' }, tmp);
    const refused = await runCli(
      ['serve', '--port', '0', '--store', 'memory', '--s3-bucket-dir', 'a b=.'],
      badBucket.io,
    );
    expect(refused).toEqual({ kind: 'exit', exitCode: 2 });
    expect(badBucket.stderr()).toMatch(/invalid bucket name 'a b'/);
  });

  it('refuses s3:// arguments without a key, and --draw on them', async () => {
    const noKey = fakeIo({ FACEKIT_FACE_MODEL: 'none', FACEKIT_STORE: 'memory' }, tmp);
    expect(await runCli(['detect', 's3://photos'], noKey.io)).toEqual({
      kind: 'exit',
      exitCode: 2,
    });
    expect(noKey.stderr()).toMatch(/invalid s3:\/\/photos: expected s3:\/\/bucket\/key/);
    const draw = fakeIo({ FACEKIT_FACE_MODEL: 'none', FACEKIT_STORE: 'memory' }, tmp);
    expect(await runCli(['detect', 's3://photos/a.jpg', '--draw', 'out.jpg'], draw.io)).toEqual({
      kind: 'exit',
      exitCode: 2,
    });
    expect(draw.stderr()).toMatch(/--draw needs a local file/);
  });

  // The face models first: without them image operations answer AccessDeniedException.
  it.skipIf(!modelsBuilt)(
    'answers InvalidS3ObjectException in-process when no S3 source is configured',
    async () => {
      const terminal = fakeIo({ FACEKIT_STORE: 'memory' }, tmp);
      const result = await runCli(['detect', 's3://photos/a.jpg'], terminal.io);
      expect(result).toEqual({ kind: 'exit', exitCode: 1 });
      expect(terminal.stderr()).toMatch(/InvalidS3ObjectException.*no S3 source configured/);
    },
  );

  it('names the bucket folders in the banner', async () => {
    const terminal = fakeIo(
      { FACEKIT_FACE_MODEL: 'none', FACEKIT_S3_BUCKET_DIRS: `pics=${tmp}` },
      tmp,
    );
    const result = await runCli(['serve', '--port', '0', '--store', 'memory'], terminal.io);
    if (result.kind !== 'serving') throw new Error(terminal.stderr());
    await result.close();
    expect(terminal.stdout()).toContain(`S3Object from pics=${tmp}`);
  });
});
