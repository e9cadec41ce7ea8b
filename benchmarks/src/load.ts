/**
 * `pnpm bench:load [--clients 64] [--duration 60] [--store sqlite|memory] [--mix 6:3:1]`
 *
 * Starts `facekit serve` in its own process (real pipeline, model 1.0), indexes real photos, then
 * runs `clients` concurrent closed-loop clients on loopback for `duration` seconds, mixing
 * SearchFaces : SearchFacesByImage : IndexFaces. Prints throughput, latency percentiles, errors
 * (throttling is counted apart: it is deliberate shedding) and the server's RSS over the run.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cliBin, repoRoot, startCliServer } from './cli-server.js';
import { type LoadOperation, quantile, runLoad } from './load-driver.js';
import { formatTable, num } from './report-format.js';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '64' },
    duration: { type: 'string', default: '60' },
    store: { type: 'string', default: 'sqlite' },
    mix: { type: 'string', default: '6:3:1' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (args.help) {
  console.log(
    'Usage: pnpm bench:load [--clients 64] [--duration 60] [--store sqlite|memory] [--mix 6:3:1]',
  );
  process.exit(0);
}
if (!existsSync(cliBin)) {
  console.error(`${cliBin} is not built: run pnpm build first.`);
  process.exit(2);
}
const clients = Number(args.clients);
const durationMs = Number(args.duration) * 1000;
const [searchFaces, byImage, index] = args.mix.split(':').map(Number);

/** Photos to index and search with: the face-api samples, and deepface's portraits when present. */
function photos(): string[] {
  const demo = join(
    dirname(
      createRequire(join(repoRoot, 'models/package.json')).resolve(
        '@vladmandic/face-api/package.json',
      ),
    ),
    'demo',
  );
  const files = [1, 2, 3, 4, 5, 6].map((n) => join(demo, `sample${n}.jpg`));
  const deepface = resolve(repoRoot, '../shared/datasets/deepface/tests/unit/dataset');
  if (existsSync(deepface)) {
    for (const name of readdirSync(deepface).sort()) {
      if (/^img\d+\.jpg$/.test(name) && name !== 'img47.jpg') files.push(join(deepface, name));
    }
  }
  return files.map((f) => readFileSync(f).toString('base64'));
}

const dataDir = await mkdtemp(join(tmpdir(), 'facekit-load-'));
const server = await startCliServer([
  '--store',
  args.store,
  '--data-dir',
  dataDir,
  '--face-model',
  '1.0',
]);
try {
  const call = async (operation: string, input: unknown) => {
    const response = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `RekognitionService.${operation}`,
      },
      body: JSON.stringify(input),
    });
    const body = (await response.json()) as Record<string, unknown>;
    if (response.status !== 200) throw new Error(`${operation}: ${JSON.stringify(body)}`);
    return body;
  };
  const images = photos();
  await call('CreateCollection', { CollectionId: 'load' });
  const faceIds: string[] = [];
  for (const [i, bytes] of images.entries()) {
    const body = await call('IndexFaces', {
      CollectionId: 'load',
      Image: { Bytes: bytes },
      ExternalImageId: `seed-${i}`,
    });
    for (const r of body.FaceRecords as { Face: { FaceId: string } }[]) faceIds.push(r.Face.FaceId);
  }
  const rssStart = server.rss();
  let rssPeak = rssStart;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, server.rss());
  }, 250);
  console.log(
    `facekit serve (${args.store} store, model 1.0) at ${server.url}: ${faceIds.length} faces from ${images.length} photos; ${clients} clients for ${durationMs / 1000} s, mix SearchFaces:SearchFacesByImage:IndexFaces = ${args.mix}`,
  );
  const report = await runLoad({
    url: server.url,
    collectionId: 'load',
    clients,
    durationMs,
    mix: { SearchFaces: searchFaces, SearchFacesByImage: byImage, IndexFaces: index },
    faceIds,
    images,
  });
  clearInterval(sampler);
  const rssEnd = server.rss();
  const seconds = report.elapsedMs / 1000;
  const rows = [['operation', 'ok', 'req/s', 'p50 ms', 'p99 ms', 'throttled', 'errors']];
  let allOk = 0;
  let allErrors = 0;
  let allThrottled = 0;
  for (const s of report.operations) {
    const errors = Object.entries(s.errors);
    allOk += s.ok;
    allThrottled += s.throttled;
    allErrors += errors.reduce((n, [, c]) => n + c, 0);
    rows.push([
      s.operation satisfies LoadOperation,
      String(s.ok),
      num(s.ok / seconds, 1),
      num(quantile(s.latencies, 0.5), 1),
      num(quantile(s.latencies, 0.99), 1),
      String(s.throttled),
      errors.length ? errors.map(([name, c]) => `${name} ${c}`).join(', ') : '0',
    ]);
  }
  rows.push([
    'all',
    String(allOk),
    num(allOk / seconds, 1),
    '',
    '',
    String(allThrottled),
    String(allErrors),
  ]);
  console.log(formatTable(rows));
  const mb = (b: number) => `${num(b / 2 ** 20, 0)} MiB`;
  console.log(`  server RSS: start ${mb(rssStart)}, peak ${mb(rssPeak)}, end ${mb(rssEnd)}`);
  console.log(
    `  ${allErrors === 0 ? 'PASS' : 'MISS'}  no errors apart from deliberate throttling (${allErrors})`,
  );
  await call('ListCollections', {}); // still answering
} finally {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
