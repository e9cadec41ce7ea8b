import { mkdirSync } from 'node:fs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** s3rver's default keys. */
export const s3rverKeys = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * An S3 server on loopback (s3rver, keeping its files in `dir`) whose bucket `uploads` holds
 * `objects` (key → bytes), put there through the AWS SDK as a client would.
 */
export async function startS3Uploads(
  dir: string,
  objects: Readonly<Record<string, Uint8Array>>,
): Promise<{ s3rver: S3rver; endpoint: string }> {
  mkdirSync(dir, { recursive: true });
  const s3rver = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: dir,
    configureBuckets: [{ name: 'uploads', configs: [] }],
  });
  const endpoint = `http://127.0.0.1:${(await s3rver.run()).port}`;
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: s3rverKeys,
  });
  try {
    for (const [Key, Body] of Object.entries(objects)) {
      await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key, Body }));
    }
  } catch (error) {
    await s3rver.close();
    throw error;
  } finally {
    s3.destroy();
  }
  return { s3rver, endpoint };
}
