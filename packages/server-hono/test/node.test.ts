import { FaceService } from '@facekit/core';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/index.js';
import { serve } from '../src/node.js';
import { UUID_V4 } from './helpers.js';

const headers = (operation: string) => ({
  'Content-Type': 'application/x-amz-json-1.1',
  'X-Amz-Target': `RekognitionService.${operation}`,
});

describe('serve (real socket)', () => {
  it('listens on port 0, reports the real port and answers over HTTP', async () => {
    const service = new FaceService({ store: createMemoryFaceStore() });
    const server = await serve({ auth: { mode: 'none' }, service, port: 0 });
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      const created = await fetch(`${server.url}/`, {
        method: 'POST',
        headers: headers('CreateCollection'),
        body: JSON.stringify({ CollectionId: 'c1' }),
      });
      expect(created.status).toBe(200);
      expect(created.headers.get('x-amzn-requestid')).toMatch(UUID_V4);
      expect(created.headers.get('date')).toBeTruthy();
      const listed = await fetch(`${server.url}/`, {
        method: 'POST',
        headers: headers('ListCollections'),
        body: '{}',
      });
      expect(await listed.json()).toMatchObject({ CollectionIds: ['c1'] });
      const missing = await fetch(`${server.url}/`, {
        method: 'POST',
        headers: headers('DescribeCollection'),
        body: '{"CollectionId":"nope"}',
      });
      expect(missing.status).toBe(400);
      expect(missing.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    } finally {
      await server.close();
    }
  });

  it("an 'error' of the listening socket is logged and the server keeps serving", async () => {
    const service = new FaceService({ store: createMemoryFaceStore() });
    const errors: string[] = [];
    const logger = { info: () => {}, error: (message: string) => errors.push(message) };
    const server = await serve({ auth: { mode: 'none' }, service, port: 0, logger });
    try {
      // What Node emits when accept() fails (EMFILE): without a listener, emit() throws.
      server.server.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' }));
      expect(errors).toEqual(['HTTP server error']);
      const listed = await fetch(`${server.url}/`, {
        method: 'POST',
        headers: headers('ListCollections'),
        body: '{}',
      });
      expect(listed.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('close() waits for in-flight requests and then stops accepting', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const app = createApp({
      auth: { mode: 'none' },
      service: {
        execute: async () => {
          started();
          await gate;
          return { CollectionIds: ['slow'] };
        },
      },
    });
    const server = await serve({ app, port: 0 });
    const inFlight = fetch(`${server.url}/`, {
      method: 'POST',
      headers: headers('ListCollections'),
      body: '{}',
    });
    await running;
    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    release();
    const response = await inFlight;
    expect(await response.json()).toEqual({ CollectionIds: ['slow'] });
    await closing;
    expect(closed).toBe(true);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    await server.close(); // idempotent
  });

  it('answers an oversized upload with an AWS JSON error, not a reset connection', async () => {
    const service = new FaceService({ store: createMemoryFaceStore() });
    const server = await serve({
      auth: { mode: 'none' },
      service,
      port: 0,
      maxBodyBytes: 64 * 1024,
    });
    try {
      const body = JSON.stringify({ Image: { Bytes: 'A'.repeat(4 * 1024 * 1024) } });
      for (let attempt = 0; attempt < 2; attempt++) {
        const response = await fetch(`${server.url}/`, {
          method: 'POST',
          headers: headers('DetectFaces'),
          body,
        });
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ __type: 'ImageTooLargeException' });
      }
    } finally {
      await server.close();
    }
  });

  it('rejects when the port is taken', async () => {
    const service = new FaceService({ store: createMemoryFaceStore() });
    const first = await serve({ auth: { mode: 'none' }, service, port: 0 });
    try {
      await expect(
        serve({ auth: { mode: 'none' }, service, port: first.port }),
      ).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      await first.close();
    }
  });
});
