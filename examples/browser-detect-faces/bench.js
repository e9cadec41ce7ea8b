// `pnpm bench:browser`: milliseconds per DetectFaces in headless Chromium (the example page,
// onnxruntime-web on one wasm thread) against the Node pipeline, on a photo with one face: the
// largest face of the face-api sample3.jpg, cropped with a margin. Needs `pnpm build` first.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FaceService } from '@facekit/core';
import { createNodeFaceAnalyzer } from '@facekit/pipeline-node';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { Transformer } from '@napi-rs/image';
import { chromiumPath, chromiumPresent, launchChromium } from './chromium.js';
import { startServer } from './server.js';

const runs = Number(process.env.RUNS ?? 10);
if (!chromiumPresent) {
  console.error(`No Chromium at ${chromiumPath} (Debian: apt-get install -y chromium).`);
  process.exit(1);
}
const require = createRequire(import.meta.url);
const photo = readFileSync(
  join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo/sample3.jpg'),
);

const analyzer = await createNodeFaceAnalyzer({ attributes: false });
const service = new FaceService({ store: createMemoryFaceStore(), analyzers: [analyzer] });
/** @param {Uint8Array} bytes */
const detect = (bytes) =>
  service.detectFaces({ Image: { Bytes: Buffer.from(bytes).toString('base64') } });

// The largest face with a margin of one face width, as its own JPEG.
const { width, height } = await new Transformer(photo).metadata();
const faces = (await detect(photo)).FaceDetails ?? [];
const box = faces
  .map((f) => f.BoundingBox ?? {})
  .sort((a, b) => (b.Width ?? 0) * (b.Height ?? 0) - (a.Width ?? 0) * (a.Height ?? 0))[0];
const [w, h] = [(box.Width ?? 0) * width, (box.Height ?? 0) * height];
const x = Math.max(0, Math.round((box.Left ?? 0) * width - w));
const y = Math.max(0, Math.round((box.Top ?? 0) * height - h / 2));
const cropW = Math.min(width - x, Math.round(3 * w));
const cropH = Math.min(height - y, Math.round(2 * h));
const crop = await new Transformer(photo).crop(x, y, cropW, cropH).jpeg(92);
const found = (await detect(crop)).FaceDetails?.length;
if (found !== 1) throw new Error(`the crop has ${found} faces on Node, not 1`);

const median = (/** @type {number[]} */ v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const nodeMs = [];
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  await detect(crop);
  nodeMs.push(performance.now() - started);
}
await analyzer.close();

const dir = mkdtempSync(join(tmpdir(), 'facekit-bench-'));
const file = join(dir, 'one-face.jpg');
writeFileSync(file, crop);
const server = await startServer({ port: 0 });
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const loadStarted = performance.now();
  await page.goto(server.url);
  await page.waitForSelector('#status[data-state=ready]', { timeout: 60_000 });
  const loadMs = performance.now() - loadStarted;
  const pageMs = [];
  for (let i = 0; i <= runs; i++) {
    await page.setInputFiles('#detect-file', []);
    await page.setInputFiles('#detect-file', file);
    await page.waitForSelector('#detect-summary[data-state=done]');
    const ms = Number(await page.getAttribute('#detect-summary', 'data-ms'));
    if (i > 0) pageMs.push(ms); // the first run warms the sessions up
  }
  console.log(`one-face photo: ${cropW}x${cropH} px, ${runs} runs, median ms per DetectFaces`);
  console.log(
    `  Chromium ${browser.version()}, onnxruntime-web wasm, 1 thread: ${median(pageMs).toFixed(0)} ms`,
  );
  console.log(
    `  Node, onnxruntime-node, 1 thread:                    ${median(nodeMs).toFixed(0)} ms`,
  );
  console.log(`  page ready (models fetched, verified, sessions created): ${loadMs.toFixed(0)} ms`);
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
