import { FaceService } from '@facekit/core';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { describe, expect, it } from 'vitest';
import { type AccessKey, createApp } from '../src/index.js';
import { call, expectAwsError, makeApp, signedCall, type TestApp } from './helpers.js';

/** A facekit extension call: AWS JSON 1.1 under `FacekitService.`. */
function extension(app: TestApp, operation: string, body: unknown = {}) {
  return call(app, operation, body, { 'X-Amz-Target': `FacekitService.${operation}` });
}

const KEY: AccessKey = {
  accessKeyId: 'AKIAEXTENSION000001',
  secretAccessKey: 'extension-secret',
  accountId: '111111111111',
};

describe('facekit extension operations (X-Amz-Target: FacekitService.*)', () => {
  it('answers an extension with its output as AWS JSON', async () => {
    const app = makeApp();
    await call(app, 'CreateCollection', { CollectionId: 'c' });
    const response = await extension(app, 'DescribeSimilarityCalibration', { CollectionId: 'c' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await response.json()).toEqual({ FaceModelVersion: '7.0', FalseAcceptRates: [] });
  });

  it('keeps the namespaces apart', async () => {
    const app = makeApp();
    await expectAwsError(
      await call(app, 'DescribeSimilarityCalibration'),
      400,
      'UnknownOperationException',
    );
    await expectAwsError(await extension(app, 'ListCollections'), 400, 'UnknownOperationException');
  });

  it('answers validation and service errors in the Rekognition error shape', async () => {
    const app = makeApp();
    const invalid = await expectAwsError(
      await extension(app, 'DescribeSimilarityCalibration', { CollectionId: 'a b' }),
      400,
      'InvalidParameterException',
    );
    expect(invalid.Message).toMatch(/collectionId/);
    await expectAwsError(
      await extension(app, 'DescribeSimilarityCalibration', { CollectionId: 'missing' }),
      400,
      'ResourceNotFoundException',
    );
  });

  it('refuses extensions when the executor has none', async () => {
    const service = new FaceService({ store: createMemoryFaceStore() });
    const app = createApp({
      service: { execute: (operation, input) => service.execute(operation, input) },
      auth: { mode: 'none' },
    });
    const body = await expectAwsError(
      await extension(app, 'DescribeSimilarityCalibration'),
      400,
      'UnknownOperationException',
    );
    expect(body.Message).toMatch(/no facekit extensions/);
  });

  it('needs the same SigV4 signature as Rekognition operations', async () => {
    const app = createApp({
      service: new FaceService({ store: createMemoryFaceStore() }),
      auth: { mode: 'sigv4', accessKeys: [KEY] },
    });
    const ok = await signedCall(app, KEY, 'DescribeSimilarityCalibration', '{}', {
      targetPrefix: 'FacekitService',
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ FaceModelVersion: '7.0', FalseAcceptRates: [] });
    const unsigned = await extension(app, 'DescribeSimilarityCalibration');
    expect(unsigned.status).toBe(400);
    expect(unsigned.headers.get('x-amzn-ErrorType')).toBe('MissingAuthenticationTokenException');
  });
});
