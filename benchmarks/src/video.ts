/**
 * `pnpm bench:video`: stored video on this machine, through the in-process FaceService with the
 * ffmpeg decoder (the code `facekit serve` runs), on slideshows rendered from deepface's labelled
 * photos (../shared/datasets; 13 identities, several photos each):
 *
 * 1. frames/s analysed (StartFaceSearch: detect, landmarks, embed, track) at 720p and 1080p;
 * 2. a one-minute 720p video with 9 people (6 indexed, 3 unknown), cuts, shots of two people,
 *    short appearances and black gaps, at
 *    sampling intervals of 250, 500 and 1000 ms: end-to-end job time, per-appearance and
 *    per-identity recall (right Person.Index, right match, start and end within one interval),
 *    false person rate (persons that are no identity's main person) and wrong matches.
 *
 *   pnpm bench:video [--quick] [--details] [--intervals=250,500] [--no-speed]
 *   (--quick: 20 s video, 500 ms only; --details: every appearance missed, and why)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { FaceService, type PersonMatch } from '@facekit/core';
import { createFolderImageSource } from '@facekit/image-source-s3';
import { createNodeFaceAnalyzer } from '@facekit/pipeline-node';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import {
  createFfmpegVideoDecoder,
  renderSlideshow,
  type SlideshowScene,
} from '@facekit/video-ffmpeg';
import { masterPairs, pivotPairs, requireDatasets } from './datasets.js';
import { clusterIdentities } from './identity-clusters.js';
import { formatTable, num, pct } from './report-format.js';
import { type Shot, scoreFaceSearch } from './video-scoring.js';

const quick = process.argv.includes('--quick');
const details = process.argv.includes('--details');
const intervalsArg = process.argv.find((a) => a.startsWith('--intervals='));
const intervals = intervalsArg
  ? intervalsArg.slice('--intervals='.length).split(',').map(Number)
  : quick
    ? [500]
    : [250, 500, 1000];
const skipSpeed = process.argv.includes('--no-speed');
const root = requireDatasets();
const load = () => loadavg()[0].toFixed(1);

// Identities: the clusters of the labelled pairs with at least 4 photos (9 people). The first
// six are indexed (with a photo the video does not show); the other three stay unknown.
const clusters = clusterIdentities([...pivotPairs(root), ...masterPairs(root)])
  .clusters.filter((c) => c.length >= 4)
  // img47.jpg is a WebP file: ffmpeg reads it, but IndexFaces takes JPEG and PNG only.
  .map((c) =>
    [...c].sort((a, b) => Number(a.endsWith('img47.jpg')) - Number(b.endsWith('img47.jpg'))),
  );
const people = clusters.map((photos, i) => ({
  id: `person-${i}`,
  known: i < 6,
  indexed: photos[0],
  shown: photos.slice(1),
}));

/**
 * A slideshow of `seconds` seconds: shots cycling through the people, each time another photo
 * of them, the camera panning, zooming or still. Most shots last 3 s; every fifth shows two
 * people side by side, every seventh lasts only 0.8 s (shorter than two 500 ms samples), and a
 * 1 s black gap follows every fourth.
 */
function minuteOfShots(seconds: number): { scenes: SlideshowScene[]; shots: Shot[] } {
  const scenes: SlideshowScene[] = [];
  const shots: Shot[] = [];
  const motions = ['pan', 'zoom', 'still'] as const;
  const end = seconds * 1000;
  let t = 0;
  let next = 0;
  const photoOf = (person: (typeof people)[number]) =>
    person.shown[Math.floor(next / people.length) % person.shown.length];
  for (let i = 0; t < end; i++) {
    if (i > 0 && i % 4 === 0) {
      const gap = Math.min(1000, end - t);
      scenes.push({ seconds: gap / 1000 });
      shots.push({ startMs: t, endMs: t + gap });
      t += gap;
      if (t >= end) break;
    }
    // No appearance cut short by the end of the video: the rest is black.
    if (end - t < 1000) {
      scenes.push({ seconds: (end - t) / 1000 });
      shots.push({ startMs: t, endMs: end });
      break;
    }
    const length = Math.min(i % 7 === 6 ? 800 : 3000, end - t);
    const onScreen =
      i % 5 === 4
        ? [people[next++ % people.length], people[next++ % people.length]]
        : [people[next++ % people.length]];
    scenes.push({
      photo: onScreen.length === 1 ? photoOf(onScreen[0]) : onScreen.map(photoOf),
      seconds: length / 1000,
      motion: motions[i % 3],
    });
    onScreen.forEach((person, side) => {
      shots.push({
        identity: person.id,
        known: person.known,
        ...(onScreen.length === 2
          ? { side: side === 0 ? ('left' as const) : ('right' as const) }
          : {}),
        startMs: t,
        endMs: t + length,
      });
    });
    t += length;
  }
  return { scenes, shots };
}

const work = mkdtempSync(join(tmpdir(), 'facekit-bench-video-'));
const analyzer = await createNodeFaceAnalyzer({ faceModelVersion: '1.0' });
const decoder = await createFfmpegVideoDecoder();
const store = createMemoryFaceStore();
const photosDir = dirname(people[0].indexed);

function serviceWith(intervalMs: number) {
  return new FaceService({
    store,
    analyzers: [analyzer],
    imageObjects: createFolderImageSource({ videos: work, photos: photosDir }),
    videoDecoder: decoder,
    limits: { videoSampleIntervalMs: intervalMs },
  });
}

async function searchJob(service: FaceService, name: string) {
  const started = performance.now();
  const { JobId } = await service.startFaceSearch({
    CollectionId: 'bench',
    Video: { S3Object: { Bucket: 'videos', Name: name } },
  });
  let first = await service.getFaceSearch({ JobId: JobId as string });
  while (first.JobStatus === 'IN_PROGRESS') {
    await new Promise((done) => setTimeout(done, 100));
    first = await service.getFaceSearch({ JobId: JobId as string });
  }
  const seconds = (performance.now() - started) / 1000;
  if (first.JobStatus !== 'SUCCEEDED')
    throw new Error(`job ${first.JobStatus}: ${first.StatusMessage}`);
  const persons: PersonMatch[] = [...(first.Persons ?? [])];
  for (let next = first.NextToken; next; ) {
    const page = await service.getFaceSearch({ JobId: JobId as string, NextToken: next });
    persons.push(...(page.Persons ?? []));
    next = page.NextToken;
  }
  return { seconds, persons, metadata: first.VideoMetadata };
}

try {
  console.log(
    `bench:video on ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${load()} at start; face model 1.0, ${decoder.name}`,
  );
  const setup = serviceWith(500);
  await setup.createCollection({ CollectionId: 'bench' });
  for (const person of people.filter((p) => p.known)) {
    await setup.indexFaces({
      CollectionId: 'bench',
      ExternalImageId: person.id,
      MaxFaces: 1,
      Image: { S3Object: { Bucket: 'photos', Name: basename(person.indexed) } },
    });
  }

  // 1. Frames/s at 720p and 1080p: a 10 s clip sampled every 200 ms (51 frames).
  const speedRows = [['size', 'frames', 'job s', 'frames/s', 'video s per s at 500 ms', 'load']];
  const clip = minuteOfShots(quick ? 5 : 10).scenes;
  for (const [w, h] of skipSpeed
    ? []
    : [
        [1280, 720],
        [1920, 1080],
      ]) {
    const name = `clip-${h}p.mp4`;
    await renderSlideshow(clip, join(work, name), { width: w, height: h });
    const { seconds, metadata } = await searchJob(serviceWith(200), name);
    const frames = Math.floor((metadata?.DurationMillis ?? 0) / 200) + 1;
    const fps = frames / seconds;
    speedRows.push([`${h}p`, String(frames), num(seconds), num(fps, 2), num(fps * 0.5, 2), load()]);
  }
  console.log('\n1. Frames analysed per second (StartFaceSearch end to end, 200 ms sampling)');
  console.log(formatTable(speedRows));

  // 2. The minute: recall and false persons per sampling interval.
  const seconds = quick ? 20 : 60;
  const { scenes, shots } = minuteOfShots(seconds);
  await renderSlideshow(scenes, join(work, 'minute.mp4'), { width: 1280, height: 720 });
  const appearances = shots.filter((s) => s.identity).length;
  console.log(
    `\n2. A ${seconds} s 720p video: ${appearances} appearances of ${people.length} people (${people.filter((p) => p.known).length} indexed, ${people.filter((p) => !p.known).length} unknown; ${shots.filter((s) => s.side === 'left').length} shots of two people, ${shots.filter((s) => s.identity && s.endMs - s.startMs < 1000).length} appearances of 0.8 s), ${shots.length - appearances} black gaps`,
  );
  const rows = [
    ['interval', 'job s', 'appearances', 'identities', 'false persons', 'wrong matches', 'load'],
  ];
  for (const interval of intervals) {
    const { seconds: jobSeconds, persons } = await searchJob(serviceWith(interval), 'minute.mp4');
    const s = scoreFaceSearch(shots, persons, interval);
    rows.push([
      `${interval} ms`,
      num(jobSeconds),
      `${s.appearancesFound}/${s.appearances} (${pct(s.appearancesFound / s.appearances)})`,
      `${s.identitiesFound}/${s.identities}`,
      `${s.falsePersons}/${s.persons} (${pct(s.persons ? s.falsePersons / s.persons : 0)})`,
      String(s.wrongMatches),
      load(),
    ]);
    if (details) for (const line of s.missed) console.log(`  missed at ${interval} ms: ${line}`);
  }
  console.log(formatTable(rows));
} finally {
  await analyzer.close();
  rmSync(work, { recursive: true, force: true });
}
