import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VideoJob } from '@facekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileVideoJobStore, restartedMessage } from '../src/index.js';

const job = (jobId: string, status: VideoJob['status'], createdAt: number): VideoJob => ({
  jobId,
  kind: 'face-detection',
  status,
  video: { S3Object: { Bucket: 'videos', Name: `${jobId}.mp4` } },
  requestKey: '[]',
  createdAt,
  clientRequestToken: `token-${jobId}`,
  ...(status === 'SUCCEEDED' ? { faces: [{ Timestamp: 0, Face: { Confidence: 99 } }] } : {}),
});

describe('file video job store', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps jobs and results across reopening; jobs left IN_PROGRESS become FAILED', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'facekit-jobs-'));
    dirs.push(dir);
    const store = await createFileVideoJobStore(dir);
    await store.save(job('done', 'SUCCEEDED', 1));
    await store.save(job('running', 'IN_PROGRESS', 2));
    const reopened = await createFileVideoJobStore(dir);
    expect(await reopened.load('done')).toMatchObject({
      status: 'SUCCEEDED',
      faces: [{ Timestamp: 0 }],
    });
    expect(await reopened.load('running')).toMatchObject({
      status: 'FAILED',
      statusMessage: restartedMessage,
    });
    expect((await reopened.list()).map((j) => [j.jobId, j.status, 'faces' in j])).toEqual([
      ['done', 'SUCCEEDED', false],
      ['running', 'FAILED', false],
    ]);
    expect((await reopened.findByToken('face-detection', 'token-done'))?.jobId).toBe('done');
    expect(await reopened.findByToken('face-search', 'token-done')).toBeUndefined();
    expect(await reopened.load('missing')).toBeUndefined();
  });
});
