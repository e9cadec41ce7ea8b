import { Sha256 } from '@aws-crypto/sha256-js';
import { FaceService } from '@facekit/core';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { SignatureV4 } from '@smithy/signature-v4';
import { expect } from 'vitest';
import { type AccessKey, type CreateAppOptions, createApp } from '../src/index.js';

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function makeApp(options: Partial<CreateAppOptions> = {}) {
  const service = new FaceService({ store: createMemoryFaceStore() });
  return createApp({ service, auth: { mode: 'none' }, ...options });
}

export type TestApp = ReturnType<typeof makeApp>;

/** One AWS JSON 1.1 call, as the SDK sends it. */
export function call(
  app: TestApp,
  operation: string,
  body: unknown = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  return Promise.resolve(
    app.request('/', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `RekognitionService.${operation}`,
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

/** How {@link signedCall} signs, and what it changes after signing. */
export interface SignedCallOptions {
  date?: Date;
  /** Default `us-east-1`. */
  region?: string;
  /** Default `rekognition`. */
  service?: string;
  /** `X-Amz-Target` prefix: default `RekognitionService`; facekit's extensions are `FacekitService`. */
  targetPrefix?: string;
  tamper?: (headers: Record<string, string>) => { headers: Record<string, string>; body?: string };
}

/** Signs an AWS JSON 1.1 call with `key` as the AWS SDK does and sends it to `app` (no socket). */
export async function signedCall(
  app: { request: (url: string, init: RequestInit) => Response | Promise<Response> },
  key: Pick<AccessKey, 'accessKeyId' | 'secretAccessKey'>,
  operation: string,
  body: string,
  options: SignedCallOptions = {},
): Promise<Response> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    region: options.region ?? 'us-east-1',
    service: options.service ?? 'rekognition',
    sha256: Sha256,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: 'facekit.test',
      path: '/',
      query: {},
      headers: {
        host: 'facekit.test',
        'content-type': 'application/x-amz-json-1.1',
        'content-length': String(new TextEncoder().encode(body).byteLength),
        'x-amz-target': `${options.targetPrefix ?? 'RekognitionService'}.${operation}`,
      },
      body,
    },
    { signingDate: options.date ?? new Date() },
  );
  const tampered = options.tamper?.({ ...signed.headers }) ?? { headers: signed.headers };
  return app.request('http://facekit.test/', {
    method: 'POST',
    headers: tampered.headers,
    body: tampered.body ?? body,
  });
}

/** Checks the documented error shape and returns the body. */
export async function expectAwsError(
  response: Response,
  status: number,
  name: string,
): Promise<{ __type: string; Code: string; Logref: string; Message: string }> {
  const text = await response.text();
  const body = JSON.parse(text);
  expect({ status: response.status, body }).toMatchObject({
    status,
    body: { __type: name, Code: name },
  });
  expect(Object.keys(body)).toEqual(['__type', 'Code', 'Logref', 'Message']);
  expect(body.Logref).toMatch(UUID_V4);
  expect(typeof body.Message).toBe('string');
  expect(body.Message.length).toBeGreaterThan(0);
  expect(response.headers.get('x-amzn-ErrorType')).toBe(name);
  expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
  expect(response.headers.get('x-amzn-RequestId')).toMatch(UUID_V4);
  expect(response.headers.get('date')).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  return body;
}
