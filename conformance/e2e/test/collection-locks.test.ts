import { createMemorySourceImageStore, type FaceAnalyzer, FaceService } from '@facekit/core';
import { linearSimilarityScale } from '@facekit/core/analyzer';
import { exportCollection, importCollection } from '@facekit/core/archive';
import { reindexCollection } from '@facekit/core/reindex';
import { l2Normalize } from '@facekit/core/vector';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { describe, expect, it } from 'vitest';

/**
 * Re-indexing and export/import share a FaceService's per-collection locks when given
 * `service.collectionLocks`: while the service holds a collection's lock, they wait.
 */
function oneFaceAnalyzer(version: string): FaceAnalyzer {
  return {
    specificationVersion: 'v1',
    faceModelVersion: version,
    similarity: linearSimilarityScale,
    async analyze() {
      return {
        width: 100,
        height: 100,
        faces: [
          {
            detail: {
              BoundingBox: { Width: 0.5, Height: 0.5, Left: 0.1, Top: 0.1 },
              Confidence: 99,
              Landmarks: [],
              Pose: { Roll: 0, Yaw: 0, Pitch: 0 },
              Quality: { Brightness: 60, Sharpness: 60 },
            },
            heightPx: 50,
            embedding: l2Normalize(new Float32Array([1, 2, 3, 4])),
          },
        ],
      };
    },
  };
}

/** Holds `key`'s lock until the returned function is called. */
async function hold(service: FaceService, key: string): Promise<() => void> {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let held = () => {};
  const acquired = new Promise<void>((resolve) => {
    held = resolve;
  });
  void service.collectionLocks.run(key, () => {
    held();
    return released;
  });
  await acquired;
  return release;
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 20));

async function setup() {
  const store = createMemoryFaceStore();
  const sourceImages = createMemorySourceImageStore();
  const service = new FaceService({ store, sourceImages, analyzers: [oneFaceAnalyzer('7.0')] });
  await service.createCollection({ CollectionId: 'a' });
  await service.indexFaces({ CollectionId: 'a', Image: { Bytes: btoa('image') } });
  return { store, sourceImages, service };
}

describe('collection locks shared with a FaceService', () => {
  it('reindexCollection waits for the target collection lock', async () => {
    const { store, sourceImages, service } = await setup();
    const release = await hold(service, 'b');
    const run = reindexCollection({
      store,
      sourceImages,
      analyzer: oneFaceAnalyzer('8.0'),
      sourceCollectionId: 'a',
      targetCollectionId: 'b',
      collectionLocks: service.collectionLocks,
    });
    await settled();
    await expect(store.describeCollection('b')).rejects.toThrow(/b/);
    release();
    expect(await run).toMatchObject({ complete: true, reindexed: 1 });
    expect((await store.describeCollection('b')).faceCount).toBe(1);
  });

  it('importCollection and exportCollection wait for the collection lock', async () => {
    const { store, service } = await setup();
    const lines: string[] = [];
    for await (const line of exportCollection(store, 'a')) lines.push(line);

    const releaseTarget = await hold(service, 'copy');
    const imported = importCollection(store, lines, {
      collectionId: 'copy',
      faceModelVersion: '7.0',
      collectionLocks: service.collectionLocks,
    });
    await settled();
    await expect(store.describeCollection('copy')).rejects.toThrow(/copy/);
    releaseTarget();
    expect(await imported).toMatchObject({ collectionId: 'copy', faceCount: 1 });

    const releaseSource = await hold(service, 'a');
    let header: string | undefined;
    const first = exportCollection(store, 'a', { collectionLocks: service.collectionLocks })
      .next()
      .then((result) => {
        header = result.value;
      });
    await settled();
    expect(header).toBeUndefined();
    releaseSource();
    await first;
    expect(JSON.parse(header ?? '{}')).toMatchObject({ CollectionId: 'a', FaceCount: 1 });
  });
});
