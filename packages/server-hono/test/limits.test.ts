import { FaceService, IdempotentParameterMismatchException } from '@facekit/core';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { describe, expect, it, vi } from 'vitest';
import { AdmissionQueue, createApp, defaultServerLimits } from '../src/index.js';
import { call, expectAwsError } from './helpers.js';

/** A service whose image operations wait until released: a slow inference. */
function gatedService() {
  const gates: (() => void)[] = [];
  const execute = vi.fn(async (operation: string) => {
    if (operation === 'DetectFaces') await new Promise<void>((resolve) => gates.push(resolve));
    return operation === 'DetectFaces' ? { FaceDetails: [] } : { CollectionIds: [] };
  });
  const releaseAll = () => {
    for (const release of gates.splice(0)) release();
  };
  return { service: { execute }, gates, releaseAll };
}

const image = { Image: { Bytes: 'AAAA' } };
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('AdmissionQueue', () => {
  it('runs at most `concurrency`, queues at most `maxQueued`, refuses the rest', async () => {
    const queue = new AdmissionQueue({ concurrency: 2, maxQueued: 1, maxWaitMs: 10_000 });
    const releases: (() => void)[] = [];
    const task = () => new Promise<void>((resolve) => releases.push(resolve));
    const running = [queue.run(task), queue.run(task), queue.run(task)];
    await tick();
    expect({ running: queue.running, queued: queue.queued }).toEqual({ running: 2, queued: 1 });
    await expect(queue.run(task)).rejects.toMatchObject({ name: 'ThrottlingException' });
    releases.shift()?.();
    await tick();
    // The waiter took the freed slot.
    expect({ running: queue.running, queued: queue.queued, started: releases.length }).toEqual({
      running: 2,
      queued: 0,
      started: 2,
    });
    for (const release of releases.splice(0)) release();
    await Promise.all(running);
    expect({ running: queue.running, queued: queue.queued }).toEqual({ running: 0, queued: 0 });
  });

  it('gives up on a waiter after maxWaitMs, and frees the slot of a failed task', async () => {
    const queue = new AdmissionQueue({ concurrency: 1, maxQueued: 5, maxWaitMs: 20 });
    let release = () => {};
    const first = queue.run(() => new Promise<void>((resolve) => (release = resolve)));
    await expect(queue.run(async () => 'late')).rejects.toMatchObject({
      name: 'ThrottlingException',
      message: expect.stringContaining('20 ms'),
    });
    expect(queue.queued).toBe(0);
    release();
    await first;
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(queue.running).toBe(0);
    expect(await queue.run(async () => 'ok')).toBe('ok');
  });
});

describe('server limits', () => {
  it('answers ThrottlingException (500) when the image queue is full; other operations still run', async () => {
    const { service, releaseAll } = gatedService();
    const app = createApp({
      service,
      auth: { mode: 'none' },
      limits: { imageConcurrency: 1, imageQueueLength: 1 },
    });
    const first = call(app, 'DetectFaces', image);
    const second = call(app, 'DetectFaces', image);
    await tick();
    const third = await call(app, 'DetectFaces', image);
    const error = await expectAwsError(third, 500, 'ThrottlingException');
    expect(error.Message).toContain('busy');
    // Store-only operations are not queued behind inference.
    expect((await call(app, 'ListCollections')).status).toBe(200);
    releaseAll();
    await tick();
    releaseAll();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
  });

  it('answers InternalServerError after requestTimeoutMs, and keeps the slot until the work ends', async () => {
    const { service, releaseAll } = gatedService();
    const app = createApp({
      service,
      auth: { mode: 'none' },
      limits: { requestTimeoutMs: 30, imageConcurrency: 1, imageQueueLength: 0 },
    });
    const timedOut = await call(app, 'DetectFaces', image);
    const error = await expectAwsError(timedOut, 500, 'InternalServerError');
    expect(error.Message).toContain('30 ms');
    // The abandoned inference still holds the only slot.
    await expectAwsError(await call(app, 'DetectFaces', image), 500, 'ThrottlingException');
    releaseAll();
    await tick();
    const next = call(app, 'DetectFaces', image);
    await tick();
    releaseAll();
    expect((await next).status).toBe(200);
  });

  it('bounds all requests in flight, and does not read the body of a waiting one', async () => {
    const { service, releaseAll } = gatedService();
    const app = createApp({
      service,
      auth: { mode: 'none' },
      limits: { maxConcurrentRequests: 1, requestQueueLength: 1 },
    });
    const running = call(app, 'DetectFaces', image);
    await tick();
    // A streamed body: count what the server pulls while the request waits for a slot.
    let pulled = 0;
    const chunks = ['{"Collection', 'Id":"c1"}'];
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          const chunk = chunks.shift();
          if (chunk === undefined) controller.close();
          else {
            pulled += chunk.length;
            controller.enqueue(new TextEncoder().encode(chunk));
          }
        },
      },
      { highWaterMark: 0 },
    );
    const waiting = app.request('/', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'RekognitionService.CreateCollection',
      },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await tick();
    expect(pulled).toBe(0);
    await expectAwsError(await call(app, 'ListCollections'), 500, 'ThrottlingException');
    releaseAll();
    expect((await running).status).toBe(200);
    expect((await waiting).status).toBe(200);
    expect(pulled).toBe('{"CollectionId":"c1"}'.length);
  });

  it.each([
    ['CreateCollection', defaultServerLimits.maxRequestBytes, 'SerializationException'],
    ['IndexFaces', defaultServerLimits.maxImageRequestBytes, 'ImageTooLargeException'],
    ['CompareFaces', defaultServerLimits.maxCompareFacesRequestBytes, 'ImageTooLargeException'],
  ])('limits the %s body to %i bytes', async (operation, limit, errorName) => {
    const execute = vi.fn(async () => ({}));
    const app = createApp({ service: { execute }, auth: { mode: 'none' } });
    const padding = (n: number) => `{"Pad":"${'A'.repeat(n - 10)}"}`;
    expect(padding(limit)).toHaveLength(limit);
    expect((await call(app, operation, padding(limit))).status).toBe(200);
    const error = await expectAwsError(
      await call(app, operation, padding(limit + 1)),
      400,
      errorName,
    );
    expect(error.Message).toContain(`${limit} bytes for ${operation}`);
  });

  it('fits a 5 MiB image in base64 under the single-image limit', () => {
    const base64 = Math.ceil((5 * 1024 * 1024) / 3) * 4;
    expect(base64 + 1024).toBeLessThan(defaultServerLimits.maxImageRequestBytes);
    expect(2 * base64 + 1024).toBeLessThan(defaultServerLimits.maxCompareFacesRequestBytes);
  });

  it('rejects invalid UTF-8 with SerializationException', async () => {
    const app = createApp({ service: { execute: async () => ({}) }, auth: { mode: 'none' } });
    const body = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const response = await app.request('/', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'RekognitionService.ListCollections',
      },
      body,
    });
    const error = await expectAwsError(response, 400, 'SerializationException');
    expect(error.Message).toContain('UTF-8');
  });
});

describe('memory stays bounded', () => {
  it('the idempotency cache of FaceService forgets the oldest tokens beyond its limit', async () => {
    const service = new FaceService({
      store: createMemoryFaceStore(),
      limits: { idempotencyMaxEntries: 50 },
    });
    await service.createCollection({ CollectionId: 'c' });
    for (let i = 0; i < 200; i++) {
      await service.createUser({ CollectionId: 'c', UserId: `u${i}`, ClientRequestToken: `t${i}` });
    }
    // t0 is forgotten: reusing it with other parameters runs again (and finds no conflict)...
    await service.createUser({ CollectionId: 'c', UserId: 'fresh', ClientRequestToken: 't0' });
    // ...while a recent token is still remembered.
    await expect(
      service.createUser({ CollectionId: 'c', UserId: 'other', ClientRequestToken: 't199' }),
    ).rejects.toBeInstanceOf(IdempotentParameterMismatchException);
  });
});
