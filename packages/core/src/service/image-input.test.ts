import { describe, expect, it } from 'vitest';
import { ImageTooLargeException, InvalidS3ObjectException } from '../errors/exceptions.js';
import { imageBytes } from './image-input.js';
import {
  type ImageObjectFailure,
  ImageObjectReadError,
  type ImageObjectSource,
  maxS3ImageBytes,
} from './image-object-source.js';

/** Objects by `bucket/name`; a name `fail:<reason>` fails for that reason. */
function objects(files: Record<string, Uint8Array>): ImageObjectSource & { asked: unknown[] } {
  const asked: unknown[] = [];
  return {
    asked,
    specificationVersion: 'v1',
    description: 'test objects',
    async read(location, { maxBytes }) {
      asked.push({ ...location, maxBytes });
      const reason = /^fail:(.+)$/.exec(location.name)?.[1];
      if (reason) throw new ImageObjectReadError(reason as ImageObjectFailure, 'Detail.');
      const file = files[`${location.bucket}/${location.name}`];
      if (!file) throw new Error('unexpected');
      return file;
    },
  };
}

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error) => error,
  );

describe('imageBytes with S3Object', () => {
  it('reads the object through the source, with the 15 MiB limit and the version', async () => {
    const source = objects({ 'b/k.jpg': new Uint8Array([1, 2]) });
    const bytes = await imageBytes(source, {
      S3Object: { Bucket: 'b', Name: 'k.jpg', Version: 'v' },
    });
    expect([...bytes]).toEqual([1, 2]);
    expect(source.asked).toEqual([
      { bucket: 'b', name: 'k.jpg', version: 'v', maxBytes: maxS3ImageBytes },
    ]);
  });

  it('without a source, says the server has no S3 source and how to configure one', async () => {
    const error = await caught(
      imageBytes(undefined, { S3Object: { Bucket: 'b', Name: 'k' } }, 'SourceImage'),
    );
    expect(error).toBeInstanceOf(InvalidS3ObjectException);
    expect(error?.message).toMatch(
      /SourceImage\.S3Object .*no S3 source configured.*--s3-endpoint.*--s3-bucket-dir/,
    );
  });

  it('needs both Bucket and Name', async () => {
    const error = await caught(imageBytes(objects({}), { S3Object: { Bucket: 'bucket' } }));
    expect(error).toBeInstanceOf(InvalidS3ObjectException);
    expect(error?.message).toMatch(/needs both Bucket and Name/);
  });

  it.each([
    ['no-such-bucket', /the bucket does not exist/],
    ['no-such-key', /the object does not exist/],
    ['no-such-version', /the object has no such version/],
    ['access-denied', /access to the object is denied/],
    ['unreachable', /could not be reached/],
  ])('says which: %s', async (reason, message) => {
    const error = await caught(
      imageBytes(objects({}), { S3Object: { Bucket: 'b', Name: `fail:${reason}` } }),
    );
    expect(error).toBeInstanceOf(InvalidS3ObjectException);
    expect(error?.message).toMatch(message);
    expect(error?.message).toContain(`(Image.S3Object s3://b/fail:${reason}). Detail.`);
  });

  it('reports an object over 15 MiB as ImageTooLargeException, whoever notices', async () => {
    const refused = await caught(
      imageBytes(objects({}), { S3Object: { Bucket: 'b', Name: 'fail:too-large' } }),
    );
    expect(refused).toBeInstanceOf(ImageTooLargeException);
    const big = objects({ 'b/big': new Uint8Array(maxS3ImageBytes + 1) });
    expect(
      await caught(imageBytes(big, { S3Object: { Bucket: 'b', Name: 'big' } })),
    ).toBeInstanceOf(ImageTooLargeException);
  });

  it('lets other errors of the source through (the server answers InternalServerError)', async () => {
    const error = await caught(imageBytes(objects({}), { S3Object: { Bucket: 'b', Name: 'x' } }));
    expect(error?.message).toBe('unexpected');
  });
});
