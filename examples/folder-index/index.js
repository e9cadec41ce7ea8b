// @ts-check
/**
 * Builds a face index of a photo folder in a SQLite file, then searches it with a photo.
 *
 *   node index.js <photo folder> [--db faces.sqlite] [--search photo.jpg]
 *
 * Runs again on the same database skip the photos already indexed. No server involved: the
 * service, the store and the face pipeline run in this process.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { FaceService, RekognitionError } from '@facekit/core';
import { createNodeFaceAnalyzer } from '@facekit/pipeline-node';
import { createSqliteFaceStore } from '@facekit/storage-sqlite';

const COLLECTION = 'photos';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { db: { type: 'string', default: 'faces.sqlite' }, search: { type: 'string' } },
});
const [folder] = positionals;
if (!folder) {
  console.error('usage: node index.js <photo folder> [--db faces.sqlite] [--search photo.jpg]');
  process.exit(2);
}

/** @param {string} path */
const image = async (path) => ({ Bytes: (await readFile(path)).toString('base64') });

const store = await createSqliteFaceStore({ path: values.db });
// The models are built from their npm packages the first time (a few seconds, once).
const analyzer = await createNodeFaceAnalyzer({ attributes: false });
const service = new FaceService({ store, analyzers: [analyzer] });

try {
  await service.createCollection({ CollectionId: COLLECTION });
} catch (error) {
  // A second run keeps the collection, and with it what was indexed before.
  if (!RekognitionError.isInstance(error) || error.name !== 'ResourceAlreadyExistsException') {
    throw error;
  }
}

/** ExternalImageIds already in the collection, page by page. */
const indexed = new Set();
let NextToken;
do {
  const page = await service.listFaces({ CollectionId: COLLECTION, NextToken });
  for (const face of page.Faces ?? []) indexed.add(face.ExternalImageId);
  NextToken = page.NextToken;
} while (NextToken);

const photos = (await readdir(folder))
  .filter((name) => ['.jpg', '.jpeg', '.png'].includes(extname(name).toLowerCase()))
  .sort();
let faces = 0;
for (const name of photos) {
  if (indexed.has(name)) {
    console.log(`skipped ${name}: already indexed`);
    continue;
  }
  const result = await service.indexFaces({
    CollectionId: COLLECTION,
    Image: await image(join(folder, name)),
    ExternalImageId: name,
  });
  const count = result.FaceRecords?.length ?? 0;
  faces += count;
  console.log(`indexed ${name}: ${count} faces`);
}
const { FaceCount } = await service.describeCollection({ CollectionId: COLLECTION });
console.log(`collection ${COLLECTION}: ${FaceCount} faces (${faces} new)`);

const query = values.search ?? (photos[0] && join(folder, photos[0]));
if (query) {
  try {
    // Searches with the largest face of the photo, as Rekognition does.
    const result = await service.searchFacesByImage({
      CollectionId: COLLECTION,
      Image: await image(query),
      FaceMatchThreshold: 80,
      MaxFaces: 5,
    });
    console.log(`search ${basename(query)}: ${result.FaceMatches?.length ?? 0} matches`);
    for (const match of result.FaceMatches ?? []) {
      console.log(`  ${match.Similarity?.toFixed(1)}%  ${match.Face?.ExternalImageId}`);
    }
  } catch (error) {
    // A photo without a face is InvalidParameterException, as on AWS.
    if (!RekognitionError.isInstance(error) || error.name !== 'InvalidParameterException') {
      throw error;
    }
    console.log(`search ${basename(query)}: ${error.message}`);
  }
}

await analyzer.close();
await store.close();
