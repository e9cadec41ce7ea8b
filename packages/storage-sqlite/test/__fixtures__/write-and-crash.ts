// Run in a child process by sqlite-face-store.test.ts: writes through the store, reports what
// it wrote on stdout once every write is acknowledged, then dies with SIGKILL without closing,
// like a crashed server. The parent checks that nothing acknowledged was lost.
import { createSqliteFaceStore } from '../../src/index.js';

const [path, dimensionsArg] = process.argv.slice(2);
const dimensions = Number(dimensionsArg);

const store = await createSqliteFaceStore({ path });
await store.createCollection({ collectionId: 'crash', faceModelVersion: '7.0', createdAt: 42 });
await store.tagCollection('crash', { written: 'before-kill' }, 50);
const faces = Array.from({ length: 5 }, (_, i) => {
  const vector = new Float32Array(dimensions);
  vector[i] = 1;
  return {
    faceId: `face-${i}`,
    imageId: `image-${i}`,
    boundingBox: { width: 0.5, height: 0.5, left: 0.25, top: 0.25 },
    confidence: 99,
    indexFacesModelVersion: '7.0',
    createdAt: 100 + i,
    vector,
  };
});
await store.putFaces('crash', faces);
await store.createUser('crash', { userId: 'ana', createdAt: 7 });
await store.associateFaces('crash', 'ana', ['face-1', 'face-2'], 100);
await store.deleteFaces('crash', ['face-4']);

process.stdout.write(`${JSON.stringify({ acknowledged: true })}\n`, () => {
  process.kill(process.pid, 'SIGKILL');
});
