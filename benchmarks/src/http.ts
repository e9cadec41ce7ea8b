/**
 * `pnpm bench:http [--duration 10] [--connections 10] [--faces 10000] [--runtimes node,bun,deno]`
 *
 * The HTTP layer on each runtime: conformance/e2e/server/test-server.ts (createApp over the memory
 * store, served through `@hono/node-server`, `Bun.serve` or `Deno.serve`) in a child process, and
 * autocannon in this (Node) process on loopback. Measures ListCollections (the cheapest call) and
 * SearchFaces in a collection of `faces` seeded random 512-d unit vectors, inserted straight into
 * the store through the test server's store routes. Prints requests/s and p50/p99 latency.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createRemoteFaceStore,
  RUNTIMES,
  type Runtime,
  runtimeMissing,
  runtimeVersion,
  startRuntimeServer,
} from '@facekit/conformance/remote';
import { randomUnitVectors } from '@facekit/conformance/storage';
import type { StoredFace } from '@facekit/core';
import autocannon from 'autocannon';
import { repoRoot } from './cli-server.js';
import { formatTable, num } from './report-format.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    faces: { type: 'string', default: '10000' },
    runtimes: { type: 'string', default: RUNTIMES.join(',') },
  },
  strict: true,
});
const duration = Number(args.duration);
const connections = Number(args.connections);
const faceCount = Number(args.faces);
const DIMENSIONS = 512;
const COLLECTION = 'bench';

const testServer = join(repoRoot, 'conformance/e2e/server/test-server.ts');
const headers = (operation: string) => ({
  'Content-Type': 'application/x-amz-json-1.1',
  'X-Amz-Target': `RekognitionService.${operation}`,
});

async function call(url: string, operation: string, body: object): Promise<unknown> {
  const response = await fetch(`${url}/`, {
    method: 'POST',
    headers: headers(operation),
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${operation}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Creates the collection and puts `faceCount` seeded faces into the server's store. */
async function seed(url: string): Promise<string> {
  await call(url, 'CreateCollection', { CollectionId: COLLECTION });
  const store = createRemoteFaceStore(url);
  const vectors = randomUnitVectors(faceCount, DIMENSIONS, 42);
  const now = Date.now();
  const faces: StoredFace[] = vectors.map((vector, i) => ({
    faceId: crypto.randomUUID(),
    imageId: crypto.randomUUID(),
    externalImageId: `seed-${i}`,
    boundingBox: { width: 0.2, height: 0.3, left: 0.1, top: 0.1 },
    confidence: 99.9,
    indexFacesModelVersion: '7.0',
    createdAt: now,
    vector,
  }));
  for (let i = 0; i < faces.length; i += 1000) {
    await store.putFaces(COLLECTION, faces.slice(i, i + 1000));
  }
  const described = (await call(url, 'DescribeCollection', { CollectionId: COLLECTION })) as {
    FaceCount: number;
  };
  if (described.FaceCount !== faceCount) {
    throw new Error(`seeded ${described.FaceCount} faces, expected ${faceCount}`);
  }
  return faces[0]?.faceId ?? '';
}

interface Measurement {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function measure(url: string, operation: string, body: object): Promise<Measurement> {
  const run = (seconds: number) =>
    autocannon({
      url: `${url}/`,
      method: 'POST',
      headers: headers(operation),
      body: JSON.stringify(body),
      connections,
      duration: seconds,
    });
  await run(2); // warm-up: JIT, caches (the store builds its search matrix on first search)
  const result = await run(duration);
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const rows: string[][] = [
  ['runtime', 'operation', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'],
];
const requested = args.runtimes.split(',') as Runtime[];
for (const runtime of requested) {
  if (!RUNTIMES.includes(runtime)) throw new Error(`unknown runtime ${runtime}`);
  const missing = runtimeMissing(runtime);
  if (missing) {
    console.log(`${runtime}: skipped, ${missing}`);
    continue;
  }
  const server = await startRuntimeServer({ runtime, script: testServer, cwd: repoRoot });
  try {
    const version = runtimeVersion(runtime);
    process.stderr.write(`${version}: seeding ${faceCount} faces...\n`);
    const faceId = await seed(server.url);
    const cases: [string, object][] = [
      ['ListCollections', {}],
      ['SearchFaces', { CollectionId: COLLECTION, FaceId: faceId, MaxFaces: 10 }],
    ];
    for (const [operation, body] of cases) {
      process.stderr.write(`${version}: ${operation} for ${duration} s...\n`);
      const m = await measure(server.url, operation, body);
      rows.push([
        version,
        operation === 'SearchFaces' ? `SearchFaces (${faceCount} faces)` : operation,
        num(m.requestsPerSecond, 0),
        String(m.p50),
        String(m.p99),
        String(m.non2xx),
        String(m.errors),
      ]);
    }
  } finally {
    await server.stop();
  }
}

console.log(
  `\nHTTP throughput, autocannon ${connections} connections × ${duration} s on loopback, memory store, ${DIMENSIONS}-d vectors:\n`,
);
console.log(formatTable(rows, '  ', 'llrrrrr'));
