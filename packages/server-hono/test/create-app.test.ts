import {
  type DescribeCollectionResponse,
  InternalServerError,
  type ListCollectionsResponse,
  ResourceNotFoundException,
  ThrottlingException,
} from '@facekit/core';
import { describe, expect, it, vi } from 'vitest';
import { createApp, type Logger } from '../src/index.js';
import { call, expectAwsError, makeApp, UUID_V4 } from './helpers.js';

const AWS_JSON = 'application/x-amz-json-1.1';

describe('successful calls', () => {
  it('CreateCollection returns the output with AWS JSON headers', async () => {
    const app = makeApp();
    const response = await call(app, 'CreateCollection', { CollectionId: 'c1' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(AWS_JSON);
    expect(response.headers.get('x-amzn-RequestId')).toMatch(UUID_V4);
    expect(response.headers.get('date')).toBeTruthy();
    expect(response.headers.get('x-amzn-ErrorType')).toBeNull();
    expect(await response.json()).toEqual({
      StatusCode: 200,
      CollectionArn: 'aws:rekognition:us-east-1:000000000000:collection/c1',
      FaceModelVersion: expect.any(String),
    });
  });

  it('ListCollections with an empty input lists parallel arrays', async () => {
    const app = makeApp();
    await call(app, 'CreateCollection', { CollectionId: 'a' });
    await call(app, 'CreateCollection', { CollectionId: 'b' });
    const body = (await (await call(app, 'ListCollections')).json()) as ListCollectionsResponse;
    expect(body.CollectionIds).toEqual(['a', 'b']);
    expect(body.FaceModelVersions).toHaveLength(2);
  });

  it('DescribeCollection reports CreationTimestamp in epoch seconds', async () => {
    const app = makeApp();
    const before = Date.now() / 1000;
    await call(app, 'CreateCollection', { CollectionId: 'c1' });
    const response = await call(app, 'DescribeCollection', { CollectionId: 'c1' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as DescribeCollectionResponse;
    expect(body).toMatchObject({
      FaceCount: 0,
      CollectionARN: 'arn:aws:rekognition:us-east-1:000000000000:collection/c1',
    });
    expect(typeof body.CreationTimestamp).toBe('number');
    expect(body.CreationTimestamp).toBeGreaterThanOrEqual(Math.floor(before) - 1);
    expect(body.CreationTimestamp).toBeLessThan(Date.now() / 1000 + 1);
  });

  it('serialises an empty output as {}', async () => {
    const app = createApp({ auth: { mode: 'none' }, service: { execute: async () => undefined } });
    const response = await call(app, 'CreateUser', { CollectionId: 'c', UserId: 'u' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{}');
  });

  it('routes on the header, whatever the path (the SDK appends / to the endpoint path)', async () => {
    const app = makeApp();
    const response = await app.request('/some/prefix/', {
      method: 'POST',
      headers: { 'Content-Type': AWS_JSON, 'X-Amz-Target': 'RekognitionService.ListCollections' },
      body: '{}',
    });
    expect(response.status).toBe(200);
  });

  it('accepts charset parameters, application/json and an empty body', async () => {
    const app = makeApp();
    const withCharset = await call(
      app,
      'ListCollections',
      {},
      {
        'Content-Type': 'application/x-amz-json-1.1; charset=utf-8',
      },
    );
    expect(withCharset.status).toBe(200);
    const plainJson = await call(app, 'ListCollections', '', {
      'Content-Type': 'application/json',
    });
    expect(plainJson.status).toBe(200);
    expect(await plainJson.json()).toMatchObject({ CollectionIds: [] });
  });

  it('gives every response a distinct request id', async () => {
    const app = makeApp();
    const responses = await Promise.all([
      call(app, 'ListCollections'),
      call(app, 'ListCollections'),
      call(app, 'DescribeCollection', { CollectionId: 'missing' }),
      call(app, 'Nope'),
      app.request('/health'),
      app.request('/', { method: 'GET' }),
    ]);
    const ids = responses.map((r) => r.headers.get('x-amzn-RequestId'));
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('service errors', () => {
  it('maps a validation failure to 400 InvalidParameterException', async () => {
    const app = makeApp();
    const response = await call(app, 'CreateCollection', { CollectionId: 'has space' });
    await expectAwsError(response, 400, 'InvalidParameterException');
  });

  it('maps a missing required member to 400 InvalidParameterException', async () => {
    const response = await call(makeApp(), 'DescribeCollection', {});
    await expectAwsError(response, 400, 'InvalidParameterException');
  });

  it('maps an unknown collection to 400 ResourceNotFoundException', async () => {
    const response = await call(makeApp(), 'DescribeCollection', { CollectionId: 'nope' });
    const body = await expectAwsError(response, 400, 'ResourceNotFoundException');
    expect(body.Message).toContain('nope');
    expect(body.Logref).toBe(response.headers.get('x-amzn-RequestId'));
  });

  it('maps server faults to 500', async () => {
    const errors = [new InternalServerError('boom'), new ThrottlingException('Slow down')];
    for (const error of errors) {
      const app = createApp({
        auth: { mode: 'none' },
        service: { execute: () => Promise.reject(error) },
      });
      const body = await expectAwsError(await call(app, 'ListCollections'), 500, error.name);
      expect(body.Message).toBe(error.message);
    }
  });

  it('uses $fault, not the class, for the status', async () => {
    const app = createApp({
      auth: { mode: 'none' },
      service: { execute: () => Promise.reject(new ResourceNotFoundException('gone')) },
    });
    await expectAwsError(await call(app, 'ListFaces'), 400, 'ResourceNotFoundException');
  });

  it('turns an unexpected exception into a generic 500 and logs the stack', async () => {
    const logger = { info: vi.fn(), error: vi.fn() } satisfies Logger;
    const secret = new TypeError('database password is hunter2');
    const app = createApp({
      auth: { mode: 'none' },
      service: { execute: () => Promise.reject(secret) },
      logger,
    });
    const response = await call(app, 'ListCollections');
    const text = await response.clone().text();
    const body = await expectAwsError(response, 500, 'InternalServerError');
    expect(body.Message).toBe('Internal server error');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('at ');
    expect(logger.error).toHaveBeenCalledOnce();
    expect(logger.error.mock.calls[0][1]).toMatchObject({
      stack: expect.stringContaining('hunter2'),
      operation: 'ListCollections',
    });
  });

  it('also catches synchronous throws', async () => {
    const app = createApp({
      auth: { mode: 'none' },
      service: {
        execute: () => {
          throw new Error('sync');
        },
      },
    });
    await expectAwsError(await call(app, 'ListCollections'), 500, 'InternalServerError');
  });
});

describe('protocol errors', () => {
  it('rejects a missing X-Amz-Target with UnknownOperationException', async () => {
    const app = makeApp();
    const response = await app.request('/', {
      method: 'POST',
      headers: { 'Content-Type': AWS_JSON },
      body: '{}',
    });
    const body = await expectAwsError(response, 400, 'UnknownOperationException');
    expect(body.Message).toContain('X-Amz-Target');
  });

  it('rejects an unknown operation, naming the target', async () => {
    const response = await call(makeApp(), 'DetectLabels');
    const body = await expectAwsError(response, 400, 'UnknownOperationException');
    expect(body.Message).toContain('RekognitionService.DetectLabels');
  });

  it('rejects another service prefix', async () => {
    const response = await call(
      makeApp(),
      'x',
      {},
      {
        'X-Amz-Target': 'DynamoDB_20120810.ListTables',
      },
    );
    const body = await expectAwsError(response, 400, 'UnknownOperationException');
    expect(body.Message).toContain('DynamoDB_20120810.ListTables');
  });

  it('rejects a target that only matches by case', async () => {
    const response = await call(
      makeApp(),
      'x',
      {},
      {
        'X-Amz-Target': 'rekognitionservice.listcollections',
      },
    );
    await expectAwsError(response, 400, 'UnknownOperationException');
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form encoding (curl -d default)', 'application/x-www-form-urlencoded'],
    ['AWS JSON 1.0', 'application/x-amz-json-1.0'],
  ])('rejects content type %s with SerializationException', async (_, contentType) => {
    const response = await call(makeApp(), 'ListCollections', {}, { 'Content-Type': contentType });
    const body = await expectAwsError(response, 400, 'SerializationException');
    expect(body.Message).toContain(contentType);
    expect(body.Message).toContain('expected application/x-amz-json-1.1');
  });

  it('rejects a missing content type with SerializationException', async () => {
    const response = await makeApp().request('/', {
      method: 'POST',
      headers: { 'X-Amz-Target': 'RekognitionService.ListCollections' },
    });
    const body = await expectAwsError(response, 400, 'SerializationException');
    expect(body.Message).toContain('Missing Content-Type');
  });

  it('rejects malformed JSON with SerializationException', async () => {
    const response = await call(makeApp(), 'CreateCollection', '{"CollectionId": ');
    const body = await expectAwsError(response, 400, 'SerializationException');
    expect(body.Message).toContain('not valid JSON');
  });

  it.each([
    ['an array', '[]'],
    ['null', 'null'],
    ['a string', '"x"'],
    ['a number', '42'],
  ])('rejects %s as body with SerializationException', async (kind, body) => {
    const response = await call(makeApp(), 'ListCollections', body);
    const error = await expectAwsError(response, 400, 'SerializationException');
    expect(error.Message).toBe(`Request body must be a JSON object, got ${kind}`);
  });

  it('rejects a body over maxBodyBytes: ImageTooLargeException for image operations', async () => {
    const app = makeApp({ maxBodyBytes: 1024 });
    const image = { Image: { Bytes: 'A'.repeat(2000) } };
    const response = await call(app, 'DetectFaces', image);
    const body = await expectAwsError(response, 400, 'ImageTooLargeException');
    expect(body.Message).toContain('1024 bytes');
  });

  it('rejects a body over maxBodyBytes: SerializationException for other operations', async () => {
    const app = makeApp({ maxBodyBytes: 1024 });
    const response = await call(app, 'CreateCollection', { CollectionId: 'x'.repeat(2000) });
    const body = await expectAwsError(response, 400, 'SerializationException');
    expect(body.Message).toContain('1024 bytes');
  });

  it('measures streamed bodies without Content-Length too', async () => {
    const app = makeApp({ maxBodyBytes: 1024 });
    const chunk = new TextEncoder().encode(`{"CollectionId":"${'x'.repeat(2000)}"}`);
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const response = await app.request('/', {
      method: 'POST',
      headers: {
        'Content-Type': AWS_JSON,
        'X-Amz-Target': 'RekognitionService.CreateCollection',
        'Transfer-Encoding': 'chunked',
      },
      body,
      duplex: 'half',
    } as RequestInit);
    await expectAwsError(response, 400, 'SerializationException');
  });

  it('accepts CompareFaces with two 5 MiB images at the default limits', async () => {
    const execute = vi.fn(async () => ({ FaceMatches: [] }));
    const app = createApp({ auth: { mode: 'none' }, service: { execute } });
    const fiveMiB = 'A'.repeat(Math.ceil((5 * 1024 * 1024) / 3) * 4);
    const input = { SourceImage: { Bytes: fiveMiB }, TargetImage: { Bytes: fiveMiB } };
    const response = await call(app, 'CompareFaces', input);
    expect(response.status).toBe(200);
    expect(execute).toHaveBeenCalledWith('CompareFaces', input);
  });

  it.each(['GET', 'PUT', 'DELETE', 'PATCH'])(
    'answers %s / with a 405 AWS JSON error',
    async (method) => {
      const response = await makeApp().request('/', { method });
      const body = await expectAwsError(response, 405, 'UnknownOperationException');
      expect(body.Message).toContain(method);
      expect(response.headers.get('allow')).toBe('POST');
    },
  );

  it('answers HEAD /health with 200 and no body', async () => {
    const response = await makeApp().request('/health', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('answers GET /health with 200 {"status":"ok"}', async () => {
    const response = await makeApp().request('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(response.headers.get('x-amzn-RequestId')).toMatch(UUID_V4);
    expect(response.headers.get('date')).toBeTruthy();
  });
});

describe('logging', () => {
  it('survives a logger that throws', async () => {
    const logger: Logger = {
      info: () => {
        throw new Error('disk full');
      },
      error: () => {},
    };
    const response = await call(makeApp({ logger }), 'ListCollections');
    expect(response.status).toBe(200);
  });

  it('logs one info line per API request with operation, status, duration and id', async () => {
    const logger = { info: vi.fn(), error: vi.fn(), debug: vi.fn() } satisfies Logger;
    const app = makeApp({ logger });
    const ok = await call(app, 'ListCollections');
    const failed = await call(app, 'DescribeCollection', { CollectionId: 'nope' });
    await app.request('/health');
    expect(logger.info).toHaveBeenCalledTimes(2);
    expect(logger.info.mock.calls[0]).toEqual([
      'ListCollections 200',
      expect.objectContaining({
        operation: 'ListCollections',
        status: 200,
        durationMs: expect.any(Number),
        requestId: ok.headers.get('x-amzn-RequestId'),
      }),
    ]);
    expect(logger.info.mock.calls[1][1]).toMatchObject({
      operation: 'DescribeCollection',
      status: 400,
      errorType: 'ResourceNotFoundException',
      requestId: failed.headers.get('x-amzn-RequestId'),
    });
    expect(logger.debug).toHaveBeenCalledOnce();
    expect(logger.error).not.toHaveBeenCalled();
  });
});
