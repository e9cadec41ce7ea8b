import {
  GetFaceDetectionCommand,
  type GetFaceDetectionCommandOutput,
  GetFaceSearchCommand,
  type GetFaceSearchCommandOutput,
  StartFaceDetectionCommand,
  StartFaceSearchCommand,
} from '@aws-sdk/client-rekognition';
import { selection } from '../collections.js';
import { h, render } from '../dom.js';
import { attempt, call, session } from '../session.js';
import { samplingInterval, type TimelineRow, timelineSpans, videoTime } from '../video-timeline.js';

type Job =
  | { kind: 'search'; output: GetFaceSearchCommandOutput }
  | { kind: 'detection'; output: GetFaceDetectionCommandOutput };

/**
 * Video: starts StartFaceSearch (on the selected collection) or StartFaceDetection on a video
 * the server reads (`Video.S3Object`), or opens a job by its JobId; follows it while it runs and
 * shows its timeline: one row per person (who the collection says they are), bars where they
 * are on screen.
 */
export function renderVideo(panel: HTMLElement) {
  const bucket = h('input', { id: 'video-bucket', placeholder: 'bucket', class: 'narrow' });
  const key = h('input', { id: 'video-key', placeholder: 'key, e.g. party.mp4' });
  const jobId = h('input', { id: 'video-job-id', placeholder: 'JobId' });
  const result = h('div', { class: 'result', 'data-testid': 'video-result' });
  const video = () => ({ S3Object: { Bucket: bucket.value.trim(), Name: key.value.trim() } });

  const search = h('button', { type: 'button' }, 'Search the collection');
  search.addEventListener('click', async () => {
    const collection = selection.collection;
    if (!collection) return render(result, h('p', { class: 'hint' }, 'Select a collection first.'));
    const started = await call(
      () =>
        session.client.send(
          new StartFaceSearchCommand({ CollectionId: collection, Video: video() }),
        ),
      search,
    );
    if (started?.JobId) void follow(started.JobId, 'search');
  });
  const detect = h('button', { type: 'button', class: 'quiet' }, 'Detect faces');
  detect.addEventListener('click', async () => {
    const started = await call(
      () => session.client.send(new StartFaceDetectionCommand({ Video: video() })),
      detect,
    );
    if (started?.JobId) void follow(started.JobId, 'detection');
  });
  const open = h('button', { type: 'button', class: 'quiet' }, 'Show job');
  open.addEventListener('click', async () => {
    const id = jobId.value.trim();
    if (!id) return;
    // A JobId is one kind of job or the other: the wrong Get… does not know it.
    const asSearch = await attempt(() =>
      session.client.send(new GetFaceSearchCommand({ JobId: id, MaxResults: 1 })),
    );
    void follow(id, asSearch.ok ? 'search' : 'detection');
  });

  /** Polls the job until it is done (progress from its StatusMessage), then draws it. */
  async function follow(id: string, kind: Job['kind']) {
    jobId.value = id;
    for (;;) {
      const job = await fetchJob(id, kind);
      if (!job) return render(result);
      const status = job.output.JobStatus;
      if (status === 'IN_PROGRESS') {
        render(
          result,
          h('p', { class: 'hint' }, `Job ${id}: ${job.output.StatusMessage ?? 'in progress'}`),
        );
        await new Promise((done) => setTimeout(done, 1000));
        continue;
      }
      if (status === 'FAILED') {
        return render(
          result,
          h('p', { class: 'summary' }, `Job ${id} FAILED: ${job.output.StatusMessage ?? ''}`),
        );
      }
      return render(result, timeline(job));
    }
  }

  render(
    panel,
    h(
      'p',
      { class: 'intro' },
      'Stored video: StartFaceSearch / StartFaceDetection on a video the server reads from S3 or a folder bucket, then the timeline of who appears when.',
    ),
    h('div', { class: 'row' }, bucket, key, search, detect),
    h('div', { class: 'row' }, jobId, open),
    result,
  );
}

/** Every page of a job's results (GetFaceSearch sorted by person). */
async function fetchJob(id: string, kind: Job['kind']): Promise<Job | undefined> {
  if (kind === 'search') {
    const first = await call(() =>
      session.client.send(new GetFaceSearchCommand({ JobId: id, SortBy: 'INDEX' })),
    );
    if (!first) return undefined;
    const persons = [...(first.Persons ?? [])];
    for (let next = first.NextToken; next; ) {
      const page = await call(() =>
        session.client.send(
          new GetFaceSearchCommand({ JobId: id, SortBy: 'INDEX', NextToken: next }),
        ),
      );
      if (!page) return undefined;
      persons.push(...(page.Persons ?? []));
      next = page.NextToken;
    }
    return { kind, output: { ...first, Persons: persons } };
  }
  const first = await call(() => session.client.send(new GetFaceDetectionCommand({ JobId: id })));
  if (!first) return undefined;
  const faces = [...(first.Faces ?? [])];
  for (let next = first.NextToken; next; ) {
    const page = await call(() =>
      session.client.send(new GetFaceDetectionCommand({ JobId: id, NextToken: next })),
    );
    if (!page) return undefined;
    faces.push(...(page.Faces ?? []));
    next = page.NextToken;
  }
  return { kind, output: { ...first, Faces: faces } };
}

/** Rows of the timeline: per person (search), or one row of every face (detection). */
function rowsOf(job: Job): { rows: TimelineRow[]; interval: number } {
  if (job.kind === 'detection') {
    const times = (job.output.Faces ?? []).map((f) => f.Timestamp ?? 0);
    const interval = samplingInterval(times);
    return {
      rows: [{ label: 'Faces', detail: `${times.length}`, spans: timelineSpans(times, interval) }],
      interval,
    };
  }
  const persons = job.output.Persons ?? [];
  const interval = samplingInterval(persons.map((p) => p.Timestamp ?? 0));
  const byIndex = new Map<number, typeof persons>();
  for (const p of persons) {
    const index = p.Person?.Index ?? -1;
    byIndex.set(index, [...(byIndex.get(index) ?? []), p]);
  }
  const rows = [...byIndex].map(([index, seen]): TimelineRow => {
    const best = seen
      .flatMap((p) => p.FaceMatches ?? [])
      .sort((a, b) => (b.Similarity ?? 0) - (a.Similarity ?? 0))[0];
    const who = best?.Face?.ExternalImageId ?? best?.Face?.UserId ?? best?.Face?.FaceId;
    return {
      label: `Person ${index}`,
      detail: who ? `${who} ${best?.Similarity?.toFixed(1)}%` : 'unknown',
      spans: timelineSpans(
        seen.map((p) => p.Timestamp ?? 0),
        interval,
      ),
    };
  });
  return { rows, interval };
}

/** The timeline: a bar per row across the video's duration, with its spans. */
function timeline(job: Job) {
  const { rows, interval } = rowsOf(job);
  const metadata = job.output.VideoMetadata;
  const duration = Math.max(
    metadata?.DurationMillis ?? 0,
    ...rows.flatMap((r) => r.spans.map((s) => s[1])),
    1,
  );
  const at = (ms: number) => `${((100 * Math.min(ms, duration)) / duration).toFixed(2)}%`;
  return h(
    'div',
    { class: 'video-timeline', 'data-testid': 'video-timeline' },
    h(
      'p',
      { class: 'summary' },
      `${videoTime(duration)}, ${metadata?.FrameWidth ?? '?'}×${metadata?.FrameHeight ?? '?'} ${metadata?.Codec ?? ''}: ${rows.length === 1 && job.kind === 'detection' ? `${rows[0].detail} faces` : `${rows.length} persons`}, sampled every ${interval} ms`,
    ),
    rows.map((row) =>
      h(
        'div',
        { class: 'timeline-row' },
        h('span', { class: 'timeline-label' }, row.label, h('small', null, ` ${row.detail ?? ''}`)),
        h(
          'span',
          { class: 'timeline-track' },
          row.spans.map(([from, to]) =>
            h('span', {
              class: 'timeline-span',
              style: `left:${at(from)};width:${at(to - from)}`,
              title: `${videoTime(from)}–${videoTime(to)}`,
            }),
          ),
        ),
      ),
    ),
    h(
      'div',
      { class: 'timeline-row' },
      h('span', { class: 'timeline-label' }),
      h(
        'span',
        { class: 'timeline-axis' },
        h('span', null, '0:00.0'),
        h('span', null, videoTime(duration)),
      ),
    ),
  );
}
