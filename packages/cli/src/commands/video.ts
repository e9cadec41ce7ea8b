import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { FaceDetection, PersonMatch, Video, VideoMetadata } from '@facekit/core';

/** What both Get… responses carry besides their results. */
interface JobState {
  JobStatus?: string;
  StatusMessage?: string;
  VideoMetadata?: VideoMetadata;
}

import type { CliIo } from '../cli-io.js';
import type { ApiClient } from '../client/api-client.js';
import {
  type Command,
  type CommandContext,
  defined,
  endpointOf,
  numberFlag,
  resolveLocalConfig,
  stringFlag,
} from '../command.js';
import { s3ObjectOf } from '../image-bytes.js';
import { emit, percent, renderTable } from '../output.js';
import { formatDuration } from '../progress.js';
import { UsageError } from '../usage-error.js';

/** The bucket a local video is read from in-process: its folder, mapped for this run only. */
const LOCAL_BUCKET = 'facekit-local-files';

const jobOptions = {
  'job-tag': {
    type: 'string',
    value: '<tag>',
    description: 'JobTag, echoed by the Get operation',
  },
  'poll-interval': {
    type: 'string',
    value: '<ms>',
    description: 'how often to ask whether the job is done [500]',
  },
  quiet: { type: 'boolean', short: 'q', description: 'no progress on stderr' },
} as const;

export const videoCommands: Command[] = [
  {
    path: ['video', 'detect'],
    summary: 'find the faces of a stored video (StartFaceDetection, GetFaceDetection)',
    args: '<video>',
    positionals: { min: 1, max: 1 },
    options: {
      attributes: {
        type: 'string',
        value: '<set>',
        description: 'FaceAttributes: DEFAULT or ALL (age, gender, emotions...)',
      },
      ...jobOptions,
    },
    examples: [
      'facekit video detect party.mp4',
      'facekit video detect s3://videos/party.mp4 --endpoint http://127.0.0.1:8080',
      'facekit video detect party.mp4 --attributes ALL --output json',
    ],
    notes:
      'A local file is read in-process (its folder is mapped as a bucket for the run); a server reads videos from S3 or its --s3-bucket-dir folders, so with --endpoint give s3://bucket/key.',
    async run(context) {
      const { io, output, values } = context;
      const attributes = stringFlag(values, 'attributes');
      if (attributes !== undefined && attributes !== 'DEFAULT' && attributes !== 'ALL') {
        throw new UsageError(`invalid --attributes '${attributes}': expected DEFAULT or ALL`);
      }
      return withVideoClient(context, async (client, video) => {
        const { JobId } = await client.call(
          'StartFaceDetection',
          defined({
            Video: video,
            FaceAttributes: attributes as 'DEFAULT' | 'ALL' | undefined,
            JobTag: stringFlag(values, 'job-tag'),
          }),
        );
        const first = await waitFor(context, () =>
          client.call('GetFaceDetection', { JobId: JobId as string }),
        );
        const faces = [...(first.Faces ?? [])];
        for (let next = first.NextToken; next; ) {
          const page = await client.call('GetFaceDetection', {
            JobId: JobId as string,
            NextToken: next,
          });
          faces.push(...(page.Faces ?? []));
          next = page.NextToken;
        }
        const response = { ...first, Faces: faces, NextToken: undefined };
        emit(io, output, defined(response), () => detectionSummary(first, faces));
        return first.JobStatus === 'SUCCEEDED' ? 0 : 1;
      });
    },
  },
  {
    path: ['video', 'search'],
    summary: 'who of a collection appears in a stored video, and when (StartFaceSearch)',
    args: '<video>',
    positionals: { min: 1, max: 1 },
    options: {
      collection: {
        type: 'string',
        short: 'c',
        value: '<id>',
        description: 'the collection to search (required)',
      },
      threshold: {
        type: 'string',
        value: '<percent>',
        description: 'FaceMatchThreshold [80]',
      },
      ...jobOptions,
    },
    examples: [
      'facekit video search party.mp4 --collection family',
      'facekit video search s3://videos/party.mp4 -c family --endpoint http://127.0.0.1:8080',
    ],
    notes:
      'Faces are tracked into persons (Person.Index) across frames and cuts; each person is searched in the collection. The summary lists every person with who they matched and when they are on screen.',
    async run(context) {
      const { io, output, values } = context;
      const collection = stringFlag(values, 'collection');
      if (!collection) throw new UsageError('video search needs --collection <id>');
      return withVideoClient(context, async (client, video) => {
        const { JobId } = await client.call(
          'StartFaceSearch',
          defined({
            Video: video,
            CollectionId: collection,
            FaceMatchThreshold: numberFlag(values, 'threshold'),
            JobTag: stringFlag(values, 'job-tag'),
          }),
        );
        const first = await waitFor(context, () =>
          client.call('GetFaceSearch', { JobId: JobId as string }),
        );
        const persons = [...(first.Persons ?? [])];
        for (let next = first.NextToken; next; ) {
          const page = await client.call('GetFaceSearch', {
            JobId: JobId as string,
            NextToken: next,
          });
          persons.push(...(page.Persons ?? []));
          next = page.NextToken;
        }
        const response = { ...first, Persons: persons, NextToken: undefined };
        emit(io, output, defined(response), () => searchSummary(first, persons));
        return first.JobStatus === 'SUCCEEDED' ? 0 : 1;
      });
    },
  },
];

/**
 * Runs `work` with the client and the `Video` to send: `s3://` as is; a local file through an
 * in-process service that maps the file's folder as a bucket (a server cannot read our files).
 */
async function withVideoClient(
  context: CommandContext,
  work: (client: ApiClient, video: Video) => Promise<number>,
): Promise<number> {
  const { io, values, positionals } = context;
  const arg = positionals[0];
  const object = s3ObjectOf(arg);
  if (object) return work(await context.client(), { S3Object: object });
  if (endpointOf(values, io) !== undefined) {
    throw new UsageError(
      `${arg}: a server reads videos from S3, not from this machine; give s3://bucket/key (upload the file, or put it in a folder the server maps with --s3-bucket-dir)`,
    );
  }
  const path = resolve(io.cwd, arg);
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`${arg}: no such file`);
  const config = resolveLocalConfig(values, io);
  const { createLocalClient } = await import('../client/local-client.js');
  const client = await createLocalClient({
    ...config,
    imageObjects: {
      ...config.imageObjects,
      bucketDirs: { ...config.imageObjects.bucketDirs, [LOCAL_BUCKET]: dirname(path) },
    },
  });
  try {
    return await work(client, { S3Object: { Bucket: LOCAL_BUCKET, Name: basename(path) } });
  } finally {
    await client.close();
  }
}

/**
 * Polls until the job is no longer IN_PROGRESS, showing its progress (facekit's StatusMessage
 * while in progress: `Analysing: 12 of 24 sampled frames.`) on stderr.
 */
async function waitFor<T extends { JobStatus?: string; StatusMessage?: string }>(
  { io, values }: CommandContext,
  get: () => Promise<T>,
): Promise<T> {
  const interval = numberFlag(values, 'poll-interval') ?? 500;
  const show = values.quiet ? undefined : io.stderr;
  const started = performance.now();
  let lastLine = '';
  for (;;) {
    const result = await get();
    if (result.JobStatus !== 'IN_PROGRESS') {
      if (show?.isTTY && lastLine) show.write('\r\x1b[K');
      if (result.JobStatus === 'FAILED') {
        io.stderr.write(`facekit: the job FAILED: ${result.StatusMessage ?? 'no reason given'}\n`);
      }
      return result;
    }
    if (show) {
      const line = progressLine(result.StatusMessage, (performance.now() - started) / 1000, show);
      if (show.isTTY) show.write(`\r\x1b[K${line}`);
      else if (line !== lastLine) show.write(`${line}\n`);
      lastLine = line;
    }
    await new Promise((done) => setTimeout(done, interval));
  }
}

function progressLine(message: string | undefined, seconds: number, stream: CliIo['stderr']) {
  const counts = /(\d+) of (\d+)/.exec(message ?? '');
  const elapsed = formatDuration(seconds);
  if (!counts) return `${message ?? 'In progress'} (${elapsed})`;
  const [done, total] = [Number(counts[1]), Number(counts[2])];
  const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 50));
  const filled = total > 0 ? Math.min(width, Math.round((width * done) / total)) : 0;
  const verb = message?.startsWith('Searching') ? 'searching' : 'frames';
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total} ${verb}  ${elapsed}`;
}

/** `m:ss.s` of a video timestamp in milliseconds. */
export function videoTime(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}:${((ms % 60_000) / 1000).toFixed(1).padStart(4, '0')}`;
}

/**
 * Runs of timestamps no further apart than about one sampling interval (the smallest gap seen),
 * as `from–to` spans: when someone is on screen.
 */
export function spans(timestamps: readonly number[], interval?: number): [number, number][] {
  const sorted = [...new Set(timestamps)].sort((a, b) => a - b);
  const step = interval ?? smallestGap(sorted);
  const result: [number, number][] = [];
  for (const t of sorted) {
    const last = result.at(-1);
    if (last && t - last[1] <= step * 1.5) last[1] = t;
    else result.push([t, t]);
  }
  return result;
}

function smallestGap(sorted: readonly number[]): number {
  let gap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < sorted.length; i++) gap = Math.min(gap, sorted[i] - sorted[i - 1]);
  return Number.isFinite(gap) ? gap : 0;
}

const spanText = (s: [number, number][]) =>
  s.map(([a, b]) => (a === b ? videoTime(a) : `${videoTime(a)}–${videoTime(b)}`)).join(', ');

function metadataLine(response: JobState): string {
  const m = response.VideoMetadata;
  if (!m) return '';
  return `Video: ${videoTime(m.DurationMillis ?? 0)}, ${m.FrameWidth}×${m.FrameHeight}, ${m.Codec}, ${m.FrameRate} fps\n`;
}

function detectionSummary(response: JobState, faces: readonly FaceDetection[]): string {
  if (response.JobStatus !== 'SUCCEEDED')
    return `Job ${response.JobStatus}: ${response.StatusMessage ?? ''}\n`;
  const times = faces.map((f) => f.Timestamp ?? 0);
  const perFrame = new Map<number, number>();
  for (const t of times) perFrame.set(t, (perFrame.get(t) ?? 0) + 1);
  return `${metadataLine(response)}${faces.length} faces in ${perFrame.size} sampled frames, at most ${Math.max(0, ...perFrame.values())} at once\nFaces on screen: ${spanText(spans(times)) || 'never'}\n`;
}

function searchSummary(response: JobState, persons: readonly PersonMatch[]): string {
  if (response.JobStatus !== 'SUCCEEDED')
    return `Job ${response.JobStatus}: ${response.StatusMessage ?? ''}\n`;
  const interval = smallestGap(
    [...new Set(persons.map((p) => p.Timestamp ?? 0))].sort((a, b) => a - b),
  );
  const byIndex = new Map<number, PersonMatch[]>();
  for (const p of persons) {
    const index = p.Person?.Index ?? -1;
    byIndex.set(index, [...(byIndex.get(index) ?? []), p]);
  }
  const rows = [...byIndex]
    .sort(([a], [b]) => a - b)
    .map(([index, seen]) => {
      const best = seen
        .flatMap((p) => p.FaceMatches ?? [])
        .sort((a, b) => (b.Similarity ?? 0) - (a.Similarity ?? 0))[0];
      const who = best
        ? (best.Face?.ExternalImageId ?? best.Face?.UserId ?? best.Face?.FaceId)
        : 'unknown';
      const timestamps = seen.map((p) => p.Timestamp ?? 0);
      return [
        index,
        who,
        percent(best?.Similarity),
        spanText(spans(timestamps, interval || undefined)),
      ];
    });
  if (rows.length === 0) return `${metadataLine(response)}Nobody appears\n`;
  return `${metadataLine(response)}${renderTable(['Person', 'Who', 'Similarity', 'On screen'], rows)}`;
}
