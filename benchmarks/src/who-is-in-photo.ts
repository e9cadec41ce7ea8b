/**
 * "Who is in this photo" (FacekitService.WhoIsInImage) measured on the group photos of
 * ../shared/datasets whose people we labelled: precision and recall of the names it gives, at a
 * few thresholds. Enrolled people: face_recognition's five knn_examples folders (a user each)
 * and the 13 deepface identities the labelled pairs imply (a user each, every photo of the
 * identity associated). No group photo is enrolled.
 *
 * Labels are ours, made by looking at the photos: a point at the centre of each known person's
 * face (ratios of the image). A detected face is that person when its box holds the point; every
 * other detected face is someone not enrolled (bystanders, children, Brad Pitt, who is in no
 * labelled set, and the 22 faces of face-api's six sample photos), for whom the only right
 * answer is UNKNOWN.
 *
 * Run: pnpm bench:who (standalone), or as a section of pnpm bench:people (with the photos).
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FaceService, type WhoIsInImageResponse } from '@facekit/core';
import { createNodeFaceAnalyzer } from '@facekit/pipeline-node';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { masterPairs, pivotPairs } from './datasets.js';
import { clusterIdentities } from './identity-clusters.js';
import { readImageForApi } from './image-bytes.js';
import { formatTable, pct } from './report-format.js';

/** A labelled group photo: where each enrolled person's face is. */
export interface GroupPhotoLabels {
  /** Below the datasets folder. */
  file: string;
  people: { name: string; x: number; y: number }[];
}

const KNN = 'face_recognition/examples/knn_examples';
const DEEPFACE = 'deepface/tests/unit/dataset';

/** Looked at by us; deepface identity 0 is Angelina Jolie (img1.jpg). */
export const groupPhotoLabels: readonly GroupPhotoLabels[] = [
  {
    file: 'face_recognition/examples/two_people.jpg',
    people: [
      { name: 'obama', x: 0.28, y: 0.19 },
      { name: 'biden', x: 0.77, y: 0.22 },
    ],
  },
  {
    file: `${KNN}/test/obama_and_biden.jpg`,
    people: [
      { name: 'biden', x: 0.42, y: 0.36 },
      { name: 'obama', x: 0.62, y: 0.33 },
    ],
  },
  {
    file: `${KNN}/test/kit_with_rose.jpg`,
    people: [
      { name: 'rose_leslie', x: 0.24, y: 0.19 },
      { name: 'kit_harington', x: 0.59, y: 0.17 },
    ],
  },
  {
    file: `${DEEPFACE}/couple.jpg`,
    people: [{ name: 'angelina_jolie', x: 0.28, y: 0.57 }],
  },
  {
    file: `${DEEPFACE}/selfie-many-people.jpg`,
    people: [{ name: 'angelina_jolie', x: 0.25, y: 0.6 }],
  },
  // Group photos of people none of whom is enrolled: every face must come out UNKNOWN.
  ...[1, 2, 3, 4, 5, 6].map((n) => ({
    file: `misc/npm-vladmandic-face-api/sample${n}.jpg`,
    people: [],
  })),
];

export interface WhoMeasurement {
  threshold: number;
  /** Faces named, and of those named right. */
  named: number;
  correct: number;
  /** Labelled faces (enrolled people), and faces of people not enrolled that were named. */
  labelled: number;
  strangersNamed: number;
  strangers: number;
  precision: number;
  recall: number;
}

/** Enrolls the labelled people and runs WhoIsInImage on the group photos at each threshold. */
export async function measureWhoIsInPhoto(
  root: string,
  thresholds: readonly number[] = [70, 80, 90],
  log: (line: string) => void = console.log,
): Promise<WhoMeasurement[]> {
  const analyzer = await createNodeFaceAnalyzer({ faceModelVersion: '1.0' });
  try {
    const service = new FaceService({ store: createMemoryFaceStore(), analyzers: [analyzer] });
    const CollectionId = 'people';
    await service.createCollection({ CollectionId });
    const enrolled = new Map<string, string[]>();
    for (const name of readdirSync(join(root, KNN, 'train'))) {
      enrolled.set(
        name,
        readdirSync(join(root, KNN, 'train', name)).map((f) => join(root, KNN, 'train', name, f)),
      );
    }
    const identities = clusterIdentities([...pivotPairs(root), ...masterPairs(root)]).clusters;
    identities.forEach((images, i) => {
      const name = images.some((p) => basename(p) === 'img1.jpg')
        ? 'angelina_jolie'
        : `deepface_${i}`;
      enrolled.set(name, images);
    });
    let faces = 0;
    for (const [UserId, photos] of enrolled) {
      const FaceIds: string[] = [];
      for (const path of photos) {
        const { bytes } = await readImageForApi(path);
        const indexed = await service.indexFaces({
          CollectionId,
          Image: { Bytes: Buffer.from(bytes).toString('base64') },
          ExternalImageId: basename(path),
          MaxFaces: 1,
        });
        for (const r of indexed.FaceRecords ?? []) if (r.Face?.FaceId) FaceIds.push(r.Face.FaceId);
      }
      faces += FaceIds.length;
      await service.createUser({ CollectionId, UserId });
      if (FaceIds.length > 0) await service.associateFaces({ CollectionId, UserId, FaceIds });
    }
    log(
      `  enrolled ${enrolled.size} people (users) from ${faces} photos; ${groupPhotoLabels.length} labelled group photos`,
    );

    // One WhoIsInImage call per photo and threshold: what a client would see.
    const answers = new Map<
      number,
      { labels: GroupPhotoLabels; response: WhoIsInImageResponse; ms: number }[]
    >();
    for (const FaceMatchThreshold of thresholds) {
      const list = [];
      for (const labels of groupPhotoLabels) {
        const { bytes } = await readImageForApi(join(root, labels.file));
        const started = performance.now();
        const response = await service.executeExtension('WhoIsInImage', {
          CollectionId,
          Image: { Bytes: Buffer.from(bytes).toString('base64') },
          FaceMatchThreshold,
        });
        list.push({ labels, response, ms: performance.now() - started });
      }
      answers.set(FaceMatchThreshold, list);
    }

    const results: WhoMeasurement[] = [];
    for (const threshold of thresholds) {
      const m = { named: 0, correct: 0, labelled: 0, strangersNamed: 0, strangers: 0 };
      for (const { labels, response } of answers.get(threshold) ?? []) {
        const truth = truthOf(labels, response);
        m.labelled += labels.people.length;
        response.Faces.forEach((face, i) => {
          if (truth[i] === undefined) m.strangers++;
          if (face.UserId === undefined) return;
          m.named++;
          if (face.UserId === truth[i]) m.correct++;
          else if (truth[i] === undefined) m.strangersNamed++;
        });
      }
      results.push({
        threshold,
        ...m,
        precision: m.named === 0 ? Number.NaN : m.correct / m.named,
        recall: m.correct / m.labelled,
      });
    }

    log(
      formatTable([
        ['Similarity ≥', 'named', 'right', 'precision', 'recall', 'strangers named'],
        ...results.map((r) => [
          String(r.threshold),
          String(r.named),
          String(r.correct),
          pct(r.precision),
          `${pct(r.recall)} (${r.correct}/${r.labelled})`,
          `${r.strangersNamed}/${r.strangers}`,
        ]),
      ]),
    );
    const shown = thresholds.includes(80) ? 80 : thresholds[0];
    log(`  per photo at ${shown} (faces left to right: who, best Similarity):`);
    for (const { labels, response, ms } of answers.get(shown) ?? []) {
      const truth = truthOf(labels, response);
      const order = response.Faces.map((_, i) => i).sort(
        (a, b) => left(response, a) - left(response, b),
      );
      const faces = order.map((i) => {
        const best = response.Faces[i].Candidates[0];
        const said = response.Faces[i].UserId ?? 'unknown';
        const mark =
          said === (truth[i] ?? 'unknown') ? '' : ` ✗ (is ${truth[i] ?? 'not enrolled'})`;
        return `${said} ${best ? best.Similarity.toFixed(1) : '-'}${mark}`;
      });
      log(`    ${basename(labels.file)} (${Math.round(ms)} ms): ${faces.join(', ')}`);
    }
    return results;
  } finally {
    await analyzer.close();
  }
}

/** For each face of the response, the labelled person whose point its box holds. */
function truthOf(labels: GroupPhotoLabels, response: WhoIsInImageResponse): (string | undefined)[] {
  return response.Faces.map((face) => {
    const b = face.FaceDetail.BoundingBox ?? {};
    const inside = labels.people.filter(
      (p) =>
        p.x >= (b.Left ?? 0) &&
        p.x <= (b.Left ?? 0) + (b.Width ?? 0) &&
        p.y >= (b.Top ?? 0) &&
        p.y <= (b.Top ?? 0) + (b.Height ?? 0),
    );
    return inside.length === 1 ? inside[0].name : undefined;
  });
}

const left = (response: WhoIsInImageResponse, i: number) =>
  response.Faces[i].FaceDetail.BoundingBox?.Left ?? 0;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { requireDatasets } = await import('./datasets.js');
  console.log('facekit "who is in this photo" (FacekitService.WhoIsInImage), face model 1.0');
  await measureWhoIsInPhoto(requireDatasets());
}
