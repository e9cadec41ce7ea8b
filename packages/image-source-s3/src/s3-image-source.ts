import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import {
  type ImageObjectFailure,
  type ImageObjectLocation,
  ImageObjectReadError,
  type ImageObjectSource,
} from '@facekit/core';

export interface S3ImageSourceOptions {
  /** An S3-compatible endpoint (`http://127.0.0.1:9000`, MinIO, R2...). Absent: AWS S3. */
  endpoint?: string;
  region: string;
  /** `endpoint/bucket/key` URLs instead of `bucket.endpoint/key` (most self-hosted servers). */
  forcePathStyle?: boolean;
  /** Static keys. Absent: the standard AWS chain (`AWS_ACCESS_KEY_ID`, profiles, roles...). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** What `close()` adds to a source: the S3 client's sockets. */
export interface S3ImageSource extends ImageObjectSource {
  close(): void;
}

/**
 * Reads `S3Object`s with `GetObject` (`Version` as `VersionId`) from S3 or any S3-compatible
 * endpoint, refusing an object whose `Content-Length` is over the limit before reading its body.
 */
export function createS3ImageSource(options: S3ImageSourceOptions): S3ImageSource {
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    forcePathStyle: options.forcePathStyle ?? false,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
  /** GetObject's body, its errors and a Content-Length over `maxBytes` thrown as read errors. */
  async function getBody({ bucket, name, version }: ImageObjectLocation, maxBytes: number) {
    try {
      const object = await client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: name,
          ...(version === undefined ? {} : { VersionId: version }),
        }),
      );
      const body = object.Body;
      if (!body) throw new ImageObjectReadError('no-such-key', 'The object has no body.');
      if (object.ContentLength !== undefined && object.ContentLength > maxBytes) {
        await body.transformToWebStream().cancel();
        throw new ImageObjectReadError(
          'too-large',
          `The object has ${object.ContentLength} bytes.`,
        );
      }
      return body;
    } catch (error) {
      throw readError(error);
    }
  }

  return {
    specificationVersion: 'v1',
    description: `S3 ${options.endpoint ?? 'AWS'} (region ${options.region})`,
    async read(location: ImageObjectLocation, { maxBytes }) {
      const body = await getBody(location, maxBytes);
      try {
        return await body.transformToByteArray();
      } catch (error) {
        throw readError(error);
      }
    },
    async stream(location: ImageObjectLocation, { maxBytes }) {
      // The SDK's body is a Node stream here: async iterable, read as it arrives.
      return (await getBody(location, maxBytes)) as unknown as AsyncIterable<Uint8Array>;
    },
    close: () => client.destroy(),
  };
}

/** S3 error codes, as returned by AWS and S3-compatible servers, by what they mean here. */
const CODES: Record<string, ImageObjectFailure> = {
  NoSuchBucket: 'no-such-bucket',
  NoSuchKey: 'no-such-key',
  NotFound: 'no-such-key',
  NoSuchVersion: 'no-such-version',
  AccessDenied: 'access-denied',
  Forbidden: 'access-denied',
  InvalidAccessKeyId: 'access-denied',
  SignatureDoesNotMatch: 'access-denied',
  ExpiredToken: 'access-denied',
  AllAccessDisabled: 'access-denied',
};

function readError(error: unknown): unknown {
  if (ImageObjectReadError.isInstance(error)) return error;
  if (error instanceof S3ServiceException) {
    const reason = CODES[error.name];
    // AWS answers a malformed version id with InvalidArgument ("Invalid version id specified").
    if (!reason && error.name === 'InvalidArgument' && /version/i.test(error.message))
      return new ImageObjectReadError('no-such-version', error.message, { cause: error });
    if (reason) return new ImageObjectReadError(reason, `S3 says ${error.name}.`, { cause: error });
    return error;
  }
  const name = (error as Error)?.name;
  if (name === 'CredentialsProviderError') {
    return new ImageObjectReadError(
      'access-denied',
      'This server has no AWS credentials for S3 (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, or --s3-access-key-id and --s3-secret-access-key).',
      { cause: error },
    );
  }
  const code = (error as NodeJS.ErrnoException)?.code;
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'ETIMEDOUT' ||
    code === 'ECONNRESET'
  )
    return new ImageObjectReadError('unreachable', `The S3 endpoint is unreachable (${code}).`, {
      cause: error,
    });
  return error;
}
