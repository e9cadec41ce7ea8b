import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliResult, runCli } from '@facekit/cli';
import { faceModels } from '@facekit/pipeline-node';
import type S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsRekognition } from './aws-cli-client.js';
import { s3rverKeys, startS3Uploads } from './s3-uploads.js';
import { faceApiSamplesDir, repoRoot } from './sample-photos.js';

/**
 * The real `aws` command (Debian's awscli; .ci/run installs it) against `facekit serve`: the
 * README's promise that existing aws rekognition scripts keep working. Every aws call takes
 * seconds (Python start-up), so this is one short session of five calls: IndexFaces
 * reads an `S3Object` from an S3 server on loopback (s3rver), SearchFacesByImage one from a
 * bucket mapped to a folder.
 */

const modelsBuilt = Object.values(faceModels['1.0']).every((id) =>
  existsSync(join(repoRoot, 'models/dist', `${id}.onnx`)),
);
const awsFound = !spawnSync('aws', ['--version'], { stdio: 'ignore' }).error;
const sample = join(faceApiSamplesDir, 'sample1.jpg');

const reason = !awsFound
  ? " (skipped: no 'aws' on PATH; apt-get install awscli, as .ci/run does)"
  : !modelsBuilt
    ? ' (skipped: models not built; run pnpm build)'
    : '';

describe.skipIf(reason !== '')(`aws rekognition CLI against facekit serve${reason}`, () => {
  let server: CliResult;
  let url: string;
  let home: string;
  let s3rver: S3rver;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'facekit-awscli-'));
    // An S3 server on loopback holding one photo, for the S3Object read through an endpoint.
    let s3Endpoint: string;
    ({ s3rver, endpoint: s3Endpoint } = await startS3Uploads(join(home, 's3'), {
      'in/sample1.jpg': readFileSync(sample),
    }));
    // Bucket `samples` is the sample photos' folder: the aws CLI sends S3Object, never bytes.
    server = await runCli(
      [
        'serve',
        '--port',
        '0',
        '--store',
        'memory',
        '--log-level',
        'silent',
        '--s3-bucket-dir',
        `samples=${faceApiSamplesDir}`,
        '--s3-endpoint',
        s3Endpoint,
        '--s3-force-path-style',
        '--s3-access-key-id',
        s3rverKeys.accessKeyId,
        '--s3-secret-access-key',
        s3rverKeys.secretAccessKey,
      ],
      { env: {} },
    );
    if (server.kind !== 'serving') throw new Error('facekit serve did not start');
    url = server.url;
  }, 30_000);
  afterAll(async () => {
    if (server?.kind === 'serving') await server.close();
    await s3rver?.close();
    rmSync(home, { recursive: true, force: true });
  });

  const aws = (...args: string[]) => awsRekognition(url, home)(...args);

  it('creates a collection, indexes a photo, searches by image, lists faces and deletes', async () => {
    expect(await aws('create-collection', '--collection-id', 'family')).toEqual({
      StatusCode: 200,
      CollectionArn: 'aws:rekognition:us-east-1:000000000000:collection/family',
      FaceModelVersion: '1.0',
    });

    // From the S3 server: the aws CLI's usual way (it cannot send bytes inline in --image).
    const indexed = await aws(
      'index-faces',
      '--collection-id',
      'family',
      '--image',
      'S3Object={Bucket=uploads,Name=in/sample1.jpg}',
      '--external-image-id',
      'sample1.jpg',
    );
    const records = indexed.FaceRecords as {
      Face: { FaceId: string; ExternalImageId: string; ImageId: string };
      FaceDetail: { BoundingBox: unknown; Landmarks: unknown[] };
    }[];
    expect(records.length).toBeGreaterThanOrEqual(2);
    expect(indexed.FaceModelVersion).toBe('1.0');
    for (const record of records) {
      expect(record.Face.FaceId).toMatch(/^[0-9a-f-]{36}$/);
      expect(record.Face.ExternalImageId).toBe('sample1.jpg');
      expect(record.FaceDetail.Landmarks).toHaveLength(5);
    }
    const faceIds = records.map((r) => r.Face.FaceId);

    // The largest face of the same photo, as an S3 object: it must find itself, at full similarity.
    const searched = await aws(
      'search-faces-by-image',
      '--collection-id',
      'family',
      '--image',
      'S3Object={Bucket=samples,Name=sample1.jpg}',
    );
    expect(searched.SearchedFaceBoundingBox).toEqual({
      Width: expect.any(Number),
      Height: expect.any(Number),
      Left: expect.any(Number),
      Top: expect.any(Number),
    });
    const matches = searched.FaceMatches as { Similarity: number; Face: { FaceId: string } }[];
    expect(matches.length).toBeGreaterThanOrEqual(1);
    expect(faceIds).toContain(matches[0].Face.FaceId);
    expect(matches[0].Similarity).toBeGreaterThan(99);

    const listed = await aws('list-faces', '--collection-id', 'family');
    expect((listed.Faces as { FaceId: string }[]).map((f) => f.FaceId).sort()).toEqual(
      [...faceIds].sort(),
    );

    expect(await aws('delete-collection', '--collection-id', 'family')).toEqual({
      StatusCode: 200,
    });
  }, 90_000);
});
