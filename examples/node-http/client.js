// @ts-check
/**
 * Talks to `server.js` with the AWS SDK, exactly as to Amazon Rekognition.
 *
 *   node client.js http://127.0.0.1:8080
 */
import {
  CreateCollectionCommand,
  DescribeCollectionCommand,
  ListCollectionsCommand,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';

const endpoint = process.argv[2] ?? 'http://127.0.0.1:8080';
const client = new RekognitionClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIAEXAMPLEFACEKIT', secretAccessKey: 'example-secret' },
});

const status = await fetch(new URL('/status', endpoint));
console.log(`GET /status: ${status.status} ${await status.text()}`);

const created = await client.send(new CreateCollectionCommand({ CollectionId: 'family' }));
console.log(`CreateCollection: ${created.StatusCode} ${created.CollectionArn}`);
const listed = await client.send(new ListCollectionsCommand({}));
console.log(`ListCollections: ${listed.CollectionIds?.join(', ')}`);
const described = await client.send(new DescribeCollectionCommand({ CollectionId: 'family' }));
console.log(
  `DescribeCollection: ${described.FaceCount} faces, model ${described.FaceModelVersion}`,
);

try {
  await client.send(new DescribeCollectionCommand({ CollectionId: 'nobody' }));
} catch (error) {
  console.log(`DescribeCollection nobody: ${/** @type {Error} */ (error).name}`);
}
