import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SlideshowScene } from '@facekit/video-ffmpeg';
import { repoRoot } from './sample-photos.js';

const datasetsDir = process.env.FACEKIT_DATASETS ?? resolve(repoRoot, '../shared/datasets');
/** face_recognition's examples: portraits of known people (../shared/datasets). */
export const examplesDir = join(datasetsDir, 'face_recognition/examples');
const train = join(examplesDir, 'knn_examples/train');

/** The photos indexed into the collection, one per known person, by ExternalImageId. */
export const indexedPhotos = {
  obama: 'knn_examples/train/obama/obama.jpg',
  biden: 'knn_examples/train/biden/biden.jpg',
} as const;

/**
 * A 12 s 720p slideshow with cuts: Obama (another photo than the indexed one, panning) 0–3 s,
 * black 3–4 s, Biden (zooming) 4–7 s, Kit Harington (not indexed) 7–10 s, Obama again (a third
 * photo, so he must be recognised across a cut) 10–12 s.
 */
export const scenes: SlideshowScene[] = [
  { photo: join(train, 'obama/obama2.jpg'), seconds: 3, motion: 'pan' },
  { seconds: 1 },
  { photo: join(train, 'biden/biden2.jpg'), seconds: 3, motion: 'zoom' },
  { photo: join(train, 'kit_harington/john2.jpeg'), seconds: 3, motion: 'pan' },
  { photo: join(examplesDir, 'obama-1080p.jpg'), seconds: 2, motion: 'still' },
];

/** Who is on screen when, in ms: `[ExternalImageId or undefined for unknown, from, to]`. */
export const appearances: [string | undefined, number, number][] = [
  ['obama', 0, 3000],
  ['biden', 4000, 7000],
  [undefined, 7000, 10_000],
  ['obama', 10_000, 12_000],
];

/** Why the stored-video tests cannot run here, or `undefined`. */
export const videoTestsUnavailable = !existsSync(train)
  ? 'skipped: ../shared/datasets not found (set FACEKIT_DATASETS)'
  : spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).error ||
      spawnSync('ffprobe', ['-version'], { stdio: 'ignore' }).error
    ? 'skipped: no ffmpeg/ffprobe on PATH; apt-get install ffmpeg, as .ci/run does'
    : !existsSync(join(repoRoot, 'models/dist/faceplugin-embed-mobilefacenet512.onnx'))
      ? 'skipped: models not built; run pnpm build'
      : undefined;
