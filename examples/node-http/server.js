// @ts-check
/**
 * A plain `node:http` server with its own routes that hands every Rekognition request to the
 * facekit Hono app. Prints its URL; `node client.js <url>` talks to it with the AWS SDK.
 *
 *   PORT=8080 node server.js
 */
import { createServer } from 'node:http';
import { FaceService } from '@facekit/core';
import { createApp } from '@facekit/server-hono';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { getRequestListener } from '@hono/node-server';

/** The key pair clients sign with (SigV4), as in `~/.aws/credentials`. Use your own. */
const accessKeys = [
  {
    accessKeyId: 'AKIAEXAMPLEFACEKIT',
    secretAccessKey: 'example-secret',
    accountId: '123456789012',
  },
];

// No analyzer here: the collection and face operations work, the image operations answer
// AccessDeniedException (add `analyzers: [await createNodeFaceAnalyzer()]` for them).
const service = new FaceService({ store: createMemoryFaceStore(), accountId: '123456789012' });
const app = createApp({ service, auth: { mode: 'sigv4', accessKeys } });
// @hono/node-server turns node's (req, res) into a fetch Request for app.fetch and back.
const rekognition = getRequestListener(app.fetch);

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/status') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ app: 'node-http example', facekit: 'mounted at /' }));
    return;
  }
  // Everything else is the Rekognition API (POST / with X-Amz-Target, GET /health).
  rekognition(req, res);
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') {
    console.log(`listening on http://127.0.0.1:${address.port}`);
  }
});
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
