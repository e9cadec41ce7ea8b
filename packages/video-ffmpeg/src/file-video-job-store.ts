import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VideoJob, VideoJobStore } from '@facekit/core';

/** The StatusMessage of a job that was in progress when the server stopped. */
export const restartedMessage =
  'The server restarted while this job was in progress; start it again (the job was not resumed).';

/**
 * Video jobs kept in a folder, one JSON file per job (`<JobId>.json`, replaced atomically), so
 * their status and results outlive the server. Jobs are not resumed: a job still IN_PROGRESS
 * when the store is opened (the server stopped or crashed) is marked FAILED with
 * {@link restartedMessage}. Only the server owning the folder should open it.
 */
export async function createFileVideoJobStore(dir: string): Promise<VideoJobStore> {
  await mkdir(dir, { recursive: true });
  // Summaries (no results) in memory: list and findByToken need no file reads.
  const summaries = new Map<string, VideoJob>();
  const fileOf = (jobId: string) => join(dir, `${jobId}.json`);
  const write = async (job: VideoJob) => {
    const file = fileOf(job.jobId);
    await writeFile(`${file}.tmp`, JSON.stringify(job));
    await rename(`${file}.tmp`, file);
  };
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.json')) continue;
    let job: VideoJob;
    try {
      job = JSON.parse(await readFile(join(dir, name), 'utf8')) as VideoJob;
    } catch {
      continue; // A file cut short by a crash: its job is lost, the others are not.
    }
    if (job.status === 'IN_PROGRESS') {
      Object.assign(job, { status: 'FAILED', statusMessage: restartedMessage });
      await write(job);
    }
    summaries.set(job.jobId, summary(job));
  }
  return {
    specificationVersion: 'v1',
    location: dir,
    async save(job) {
      await write(job);
      summaries.set(job.jobId, summary(job));
    },
    async load(jobId) {
      if (!summaries.has(jobId)) return undefined;
      return JSON.parse(await readFile(fileOf(jobId), 'utf8')) as VideoJob;
    },
    async findByToken(kind, token) {
      for (const job of summaries.values()) {
        if (job.kind === kind && job.clientRequestToken === token) return { ...job };
      }
      return undefined;
    },
    async list() {
      return [...summaries.values()]
        .sort((a, b) => a.createdAt - b.createdAt)
        .map((job) => ({ ...job }));
    },
  };
}

function summary(job: VideoJob): VideoJob {
  const { faces: _faces, persons: _persons, ...rest } = job;
  return JSON.parse(JSON.stringify(rest)) as VideoJob;
}
