/** Sections 5b and 5c of `pnpm bench:accuracy`: gender and eye direction against our labels. */
import { basename, join } from 'node:path';
import { masterPairs, pivotPairs } from '../datasets.js';
import { clusterIdentities } from '../identity-clusters.js';
import { readImageForApi } from '../image-bytes.js';
import { num, pct } from '../report-format.js';
import { type AccuracyContext, heading, median, unique } from './context.js';

// ---- 5b. attributes: gender ---------------------------------------------------------------

/**
 * The datasets carry no age or gender labels. The deepface photos are of 13 public figures,
 * grouped into identities by the "Yes" pairs; one photo of each was looked at to label the
 * identity's gender (ours, not the dataset's). Age is not measured: no photo has a known date.
 */
const GENDER_BY_IDENTITY: Record<string, 'Male' | 'Female'> = {
  'img1.jpg': 'Female',
  'img8.jpg': 'Female',
  'img12.jpg': 'Female',
  'img22.jpg': 'Female',
  'img26.jpg': 'Female',
  'img13.jpg': 'Male',
  'img16.jpg': 'Male',
  'img18.jpg': 'Male',
  'img20.jpg': 'Male',
  'img24.jpg': 'Male',
  'img29.jpg': 'Male',
  'img34.jpg': 'Male',
  'img38.jpg': 'Male',
};
export async function genderSection(context: AccuracyContext): Promise<void> {
  const { root, analyzer, photos, targets } = context;
  const { errors, rel } = photos;
  heading('Gender: deepface photos, 13 identities labelled by us (5 women, 8 men)');
  const identities = clusterIdentities([...pivotPairs(root), ...masterPairs(root)]).clusters;
  let right = 0;
  let total = 0;
  const wrong: string[] = [];
  const confidences: number[] = [];
  const ms: number[] = [];
  for (const cluster of identities) {
    const label = cluster.map((p) => GENDER_BY_IDENTITY[basename(p)]).find(Boolean);
    if (!label) continue;
    for (const path of cluster) {
      try {
        const image = await readImageForApi(path);
        const t0 = performance.now();
        const result = await analyzer.analyze(image.bytes, {
          attributes: ['GENDER'],
          embedLargest: 0,
        });
        ms.push(performance.now() - t0);
        const gender = result.faces[0]?.detail.Gender;
        if (!gender) continue;
        total++;
        confidences.push(gender.Confidence ?? 0);
        if (gender.Value === label) right++;
        else
          wrong.push(
            `${rel(path)} (${label}, said ${gender.Value} ${num(gender.Confidence ?? 0, 0)}%)`,
          );
      } catch (cause) {
        errors.push({ path: rel(path), error: String(cause) });
      }
    }
  }
  const accuracy = total > 0 ? right / total : 0;
  console.log(
    `  largest face of ${total} photos: ${pct(accuracy, 1)} right; median Confidence ${num(median(confidences), 1)}; analyze(GENDER) ${num(median(ms), 0)} ms median`,
  );
  for (const w of wrong) console.log(`    wrong: ${w}`);
  targets.push({
    name: 'gender ≥ 95% on the labelled deepface identities',
    pass: accuracy >= 0.95,
    value: pct(accuracy, 1),
  });
}

// ---- 5c. attributes: eye direction --------------------------------------------------------

/**
 * Faces of the face-api sample photos that look into the camera (labelled by us by looking; the
 * others look down or away): for them the gaze relative to the head is minus the head's yaw,
 * and the gaze pitch about 0. `[photo, x, y]`: the face's box centre as fractions of the image.
 */
const LOOKING_INTO_CAMERA: [number, number, number][] = [
  [1, 0.82, 0.25],
  [1, 0.26, 0.37],
  [3, 0.62, 0.26],
  [3, 0.83, 0.32],
  [3, 0.36, 0.34],
  [4, 0.39, 0.13],
  [4, 0.18, 0.22],
  [5, 0.24, 0.73],
  [5, 0.78, 0.38],
  [5, 0.36, 0.39],
  [5, 0.62, 0.23],
  [5, 0.45, 0.16],
  [6, 0.83, 0.27],
  [6, 0.19, 0.4],
  [6, 0.4, 0.31],
  [6, 0.66, 0.29],
];
export async function eyeDirectionSection(context: AccuracyContext): Promise<void> {
  const { root, analyzer, targets } = context;
  heading(
    'EyeDirection: 16 faces looking into the camera (face-api sample photos, labelled by us)',
  );
  const gaze: number[] = [];
  const head: number[] = [];
  const pitch: number[] = [];
  for (const n of unique(LOOKING_INTO_CAMERA.map(([p]) => p))) {
    const path = join(root, `misc/npm-vladmandic-face-api/sample${n}.jpg`);
    const image = await readImageForApi(path);
    const result = await analyzer.analyze(image.bytes, {
      attributes: ['EYE_DIRECTION'],
      embedLargest: 0,
    });
    for (const [, x, y] of LOOKING_INTO_CAMERA.filter(([p]) => p === n)) {
      const d = result.faces
        .map((f) => f.detail)
        .find((f) => {
          const b = f.BoundingBox ?? {};
          const cx = (b.Left ?? 0) + (b.Width ?? 0) / 2;
          const cy = (b.Top ?? 0) + (b.Height ?? 0) / 2;
          return Math.hypot(cx - x, cy - y) < 0.06;
        });
      if (!d?.EyeDirection) {
        console.log(`  sample${n} (${x}, ${y}): no face or no eye direction`);
        continue;
      }
      gaze.push(d.EyeDirection.Yaw ?? 0);
      head.push(-(d.Pose?.Yaw ?? 0));
      pitch.push(d.EyeDirection.Pitch ?? 0);
    }
  }
  const mean = (v: number[]) => v.reduce((sum, x) => sum + x, 0) / v.length;
  const [mg, mh] = [mean(gaze), mean(head)];
  const cov = mean(gaze.map((g, i) => (g - mg) * (head[i] - mh)));
  const corr =
    cov / Math.sqrt(mean(gaze.map((g) => (g - mg) ** 2)) * mean(head.map((h) => (h - mh) ** 2)));
  const mae = mean(gaze.map((g, i) => Math.abs(g - head[i])));
  console.log(
    `  ${gaze.length} faces: gaze yaw vs −head yaw correlation ${num(corr, 2)}, mean error ${num(mae, 1)}° (always 0: ${num(mean(head.map(Math.abs)), 1)}°); pitch mean ${num(mean(pitch), 1)}°, mean |pitch| ${num(mean(pitch.map(Math.abs)), 1)}°`,
  );
  targets.push({
    name: 'eye direction: yaw error < half of guessing 0 (faces looking into the camera)',
    pass: mae < mean(head.map(Math.abs)) / 2,
    value: `${num(mae, 1)}°`,
  });
}
