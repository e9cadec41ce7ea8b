// Run in a child process by crash.test.ts: bulk-indexes batches of seeded faces through the
// store on a usearch HNSW index without ever closing it, printing each batch's number once
// putFaces has acknowledged it. The parent kills this process with SIGKILL mid-stream.
import { randomUnitVectors } from '@facekit/conformance/storage';
import { createUsearchFaceStore, type UsearchQuantization } from '../../src/index.js';

const [dir, quantization, dimensionsArg] = process.argv.slice(2);
const dimensions = Number(dimensionsArg);
const BATCH = 500;

const store = await createUsearchFaceStore({
  dir,
  index: 'hnsw',
  quantization: quantization as UsearchQuantization,
  // Saved only at the end of a quiet period: the kill always finds the index file stale.
  persistAfterMs: 200,
});
// A second run continues after the batches the database already has.
const existing = await store.describeCollection('bulk').catch(() => undefined);
if (!existing) {
  await store.createCollection({ collectionId: 'bulk', faceModelVersion: '1.0', createdAt: 1 });
}
for (let batch = (existing?.faceCount ?? 0) / BATCH; ; batch++) {
  const faces = randomUnitVectors(BATCH, dimensions, 1000 + batch).map((vector, i) => ({
    faceId: `face-${batch}-${i}`,
    imageId: `image-${batch}`,
    boundingBox: { width: 0.5, height: 0.5, left: 0.25, top: 0.25 },
    confidence: 99,
    indexFacesModelVersion: '1.0',
    createdAt: batch,
    vector,
  }));
  // Opens the index (loading or catching up a saved one), so batches go into the live graph.
  await store.searchFaces('bulk', faces[0].vector, { limit: 1 });
  await store.putFaces('bulk', faces);
  process.stdout.write(`${batch}\n`);
  // Lets the idle save run now and then, so some kills land after a save and some during one.
  if (batch % 3 === 2) await new Promise((resolve) => setTimeout(resolve, 250));
}
