import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `../shared/datasets` beside the repository, or `FACEKIT_DATASETS`. */
export function datasetsDir(): string {
  const fromEnv = process.env.FACEKIT_DATASETS;
  if (fromEnv) return resolve(fromEnv);
  return resolve(fileURLToPath(new URL('../../../shared/datasets', import.meta.url)));
}

/** Exits with a clear message when the datasets are missing: a benchmark never pretends. */
export function requireDatasets(): string {
  const dir = datasetsDir();
  if (!existsSync(dir)) {
    console.error(
      `Datasets not found at ${dir}. Put ../shared/datasets beside the repository or set FACEKIT_DATASETS.`,
    );
    process.exit(2);
  }
  return dir;
}

export interface LabelledPair {
  a: string;
  b: string;
  same: boolean;
}

const DEEPFACE = 'deepface/tests/unit/dataset';

/** deepface's pivot pairs (140 same, 140 different), as absolute file paths. */
export function pivotPairs(root: string): LabelledPair[] {
  return readPairs(root, 'face-recognition-pivot.csv', 'decision');
}

/** deepface's master.csv pairs (38 same, 262 different). */
export function masterPairs(root: string): LabelledPair[] {
  return readPairs(root, 'master.csv', 'Decision');
}

/** deepface's pivot and master pairs, each pair once (the two files share some). */
export function labelledPairs(root: string): LabelledPair[] {
  const pairs = [...pivotPairs(root), ...masterPairs(root)];
  return [...new Map(pairs.map((p) => [`${p.a}|${p.b}|${p.same}`, p])).values()];
}

function readPairs(root: string, file: string, decisionColumn: string): LabelledPair[] {
  const path = join(root, DEEPFACE, file);
  if (!existsSync(path)) return [];
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const columns = header.split(',');
  const x = columns.indexOf('file_x');
  const y = columns.indexOf('file_y');
  const decision = columns.indexOf(decisionColumn);
  // Paths in the CSVs start with deepface/tests/dataset/; the files are in this folder.
  const local = (p: string) => join(root, DEEPFACE, p.split('/').pop() as string);
  return lines.map((line) => {
    const cells = line.split(',');
    return { a: local(cells[x]), b: local(cells[y]), same: cells[decision].trim() === 'Yes' };
  });
}

export interface WiderImage {
  path: string;
  /** [x, y, width, height] in pixels. */
  boxes: number[][];
  /** Boxes WIDER marks invalid: neither counted as misses nor as false positives when detected. */
  invalid: number[][];
}

/** The WIDER FACE validation subset with its official ground truth. */
export function widerSubset(root: string): WiderImage[] {
  const dir = join(root, 'widerface-val-subset');
  const gt = join(dir, 'wider_face_val_bbx_gt.subset.txt');
  if (!existsSync(gt)) return [];
  const lines = readFileSync(gt, 'utf8').split(/\r?\n/);
  const images: WiderImage[] = [];
  for (let i = 0; i < lines.length; ) {
    const name = lines[i++]?.trim();
    if (!name) continue;
    const count = Number(lines[i++]);
    const boxes: number[][] = [];
    const invalid: number[][] = [];
    // A WIDER image with no faces still has one all-zero line.
    for (let k = 0; k < Math.max(count, 1); k++) {
      const cells = lines[i++].trim().split(/\s+/).map(Number);
      if (count === 0) break;
      const box = cells.slice(0, 4);
      if (box[2] <= 0 || box[3] <= 0) continue;
      (cells[7] === 1 ? invalid : boxes).push(box);
    }
    images.push({ path: join(dir, 'data', 'WIDER_val', 'images', name), boxes, invalid });
  }
  return images.filter((image) => existsSync(image.path));
}

/** Photos without a human face (precision check). */
export function facelessImages(root: string): string[] {
  return [
    'misc/debian-skimage/coffee.png',
    'misc/debian-skimage/chelsea.png',
    'misc/debian-opencv-doc/fruits.jpg',
    'misc/debian-opencv-doc/home.jpg',
    'misc/debian-opencv-doc/baboon.jpg',
    'dlib-faces/examples/faces/dogs.jpg',
    ...Array.from({ length: 8 }, (_, i) => `misc/exif-orientation/Landscape_${i + 1}.jpg`),
  ]
    .map((p) => join(root, p))
    .filter((p) => existsSync(p));
}

/**
 * Photos that no accuracy section measures, for calibrating the int8 models (`pnpm
 * calibrate:int8`): the WIDER images outside the ground-truth subset, dlib's example photos
 * (not the dog photo), @vladmandic/human's collage and face_recognition's example and test
 * photos (not the knn ones, which are portraits).
 */
export function calibrationPhotos(datasets: string): string[] {
  const widerDir = join(datasets, 'widerface-val-subset/data/WIDER_val/images');
  const measured = new Set(widerSubset(datasets).map((w) => w.path));
  const files = (dir: string) =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => /\.(jpe?g|png)$/i.test(f))
          .sort()
          .map((f) => join(dir, f))
      : [];
  const wider = existsSync(widerDir)
    ? readdirSync(widerDir)
        .sort()
        .flatMap((event) => files(join(widerDir, event)))
        .filter((p) => !measured.has(p))
    : [];
  return [
    ...wider,
    ...files(join(datasets, 'dlib-faces/examples/faces')).filter((p) => !p.endsWith('dogs.jpg')),
    ...files(join(datasets, 'misc/npm-vladmandic-human')),
    ...files(join(datasets, 'face_recognition/examples')),
    ...files(join(datasets, 'face_recognition/tests/test_images')),
  ];
}
