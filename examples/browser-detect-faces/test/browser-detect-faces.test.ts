import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BoundingBox,
  type CompareFacesResponse,
  type DetectFacesResponse,
  FaceService,
} from '@facekit/core';
import { faceModels } from '@facekit/core/analyzer';
import { readImageHeader } from '@facekit/core/image';
import { iou } from '@facekit/core/pipeline';
import { createNodeFaceAnalyzer } from '@facekit/pipeline-node';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { Orientation, Transformer } from '@napi-rs/image';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, chromiumPresent, launchChromium } from '../chromium.js';
import { startServer } from '../server.js';

/**
 * The example page in headless Chromium: DetectFaces and CompareFaces on the face-api sample
 * photos, picked through the page's file inputs and analysed in the page, checked against the
 * Node pipeline on the same photos; and not one request leaves the local server.
 */

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const samplesDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
const modelsDir = join(dirname(require.resolve('@facekit/models/package.json')), 'dist');
const pageBuilt = existsSync(join(here, '../dist/main.js'));
const modelsBuilt = Object.values(faceModels['1.0']).every((id) =>
  existsSync(join(modelsDir, `${id}.onnx`)),
);
const why = !chromiumPresent
  ? ` (SKIPPED: no Chromium at ${chromiumPath}; Debian: apt-get install -y chromium)`
  : !modelsBuilt || !pageBuilt
    ? ' (SKIPPED: the models or the page are not built; run pnpm build)'
    : '';

const photos = mkdtempSync(join(tmpdir(), 'facekit-browser-'));
const sample = (n: number) => join(samplesDir, `sample${n}.jpg`);

/** An APP1 Exif segment holding only the Orientation tag. */
function exifOrientation(orientation: number): Uint8Array {
  const tiff = new Uint8Array(8 + 2 + 12 + 4);
  const view = new DataView(tiff.buffer);
  tiff.set([0x4d, 0x4d], 0); // big-endian
  view.setUint16(2, 42);
  view.setUint32(4, 8);
  view.setUint16(8, 1);
  view.setUint16(10, 0x0112);
  view.setUint16(12, 3);
  view.setUint32(14, 1);
  view.setUint16(18, orientation);
  const length = 2 + 6 + tiff.length;
  return new Uint8Array(
    [0xff, 0xe1, length >> 8, length & 0xff, ...'Exif\0\0']
      .map((c) => (typeof c === 'string' ? c.charCodeAt(0) : c))
      .concat(...tiff),
  );
}

/** `jpeg` with `segment` right after SOI. */
function withSegment(jpeg: Uint8Array, segment: Uint8Array): Uint8Array {
  const out = new Uint8Array(jpeg.length + segment.length);
  out.set(jpeg.subarray(0, 2));
  out.set(segment, 2);
  out.set(jpeg.subarray(2), 2 + segment.length);
  return out;
}

const asArray = (b: BoundingBox) => {
  const [x, y] = [b.Left ?? 0, b.Top ?? 0];
  return [x, y, x + (b.Width ?? 0), y + (b.Height ?? 0)];
};
/** For each expected box, the best IoU among the found ones. */
const bestIous = (found: BoundingBox[], expected: BoundingBox[]) =>
  expected.map((e) => Math.max(0, ...found.map((f) => iou([...asArray(f), ...asArray(e)], 0, 1))));

describe.skipIf(why !== '')(`the example page in headless Chromium${why}`, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let page: Page;
  let nodeService: FaceService;
  let closeNode: () => Promise<void>;
  const requests: string[] = [];
  const pageErrors: string[] = [];
  const image = (path: string) => ({ Bytes: readFileSync(path).toString('base64') });

  beforeAll(async () => {
    // The photo of sample1 stored turned a quarter to the left, with the EXIF orientation (6:
    // turn right to display) that makes it upright again.
    const turned = await new Transformer(readFileSync(sample(1)))
      .rotate(Orientation.Rotate270Cw)
      .jpeg(92);
    writeFileSync(join(photos, 'turned-exif6.jpg'), withSegment(turned, exifOrientation(6)));
    writeFileSync(
      join(photos, 'sample2.png'),
      await new Transformer(readFileSync(sample(2))).png(),
    );
    writeFileSync(
      join(photos, 'not-an-image.gif'),
      Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;'),
    );

    const nodeAnalyzer = await createNodeFaceAnalyzer({ attributes: false });
    closeNode = () => nodeAnalyzer.close();
    nodeService = new FaceService({ store: createMemoryFaceStore(), analyzers: [nodeAnalyzer] });

    server = await startServer({ port: 0 });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.goto(server.url);
    await page.waitForSelector('#status[data-state=ready], #status[data-state=error]', {
      timeout: 30_000,
    });
    expect(await page.textContent('#status')).toBe('Ready: pick a photo.');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await closeNode?.();
    rmSync(photos, { recursive: true, force: true });
  });

  async function detectInPage(path: string): Promise<DetectFacesResponse> {
    await page.setInputFiles('#detect-file', path);
    await page.waitForSelector(
      '#detect-summary[data-state=done], #detect-summary[data-state=error]',
    );
    const summary = page.locator('#detect-summary');
    expect(await summary.getAttribute('data-state'), (await summary.textContent()) ?? '').toBe(
      'done',
    );
    return JSON.parse((await page.textContent('#detect-json')) ?? '');
  }

  async function compareInPage(source: string, target: string): Promise<CompareFacesResponse> {
    await page.setInputFiles('#compare-source', source);
    await page.setInputFiles('#compare-target', target);
    await page.click('#compare-run');
    await page.waitForSelector(
      '#compare-summary[data-state=done], #compare-summary[data-state=error]',
    );
    const summary = page.locator('#compare-summary');
    expect(await summary.getAttribute('data-state'), (await summary.textContent()) ?? '').toBe(
      'done',
    );
    return JSON.parse((await page.textContent('#compare-json')) ?? '');
  }

  it('DetectFaces finds the faces the Node pipeline finds, in the same boxes (JPEG, PNG)', async () => {
    for (const photo of [sample(1), join(photos, 'sample2.png')]) {
      const inPage = await detectInPage(photo);
      const onNode = await nodeService.detectFaces({ Image: image(photo) });
      const expected = (onNode.FaceDetails ?? []).map((f) => f.BoundingBox ?? {});
      const found = (inPage.FaceDetails ?? []).map((f) => f.BoundingBox ?? {});
      expect(expected.length).toBeGreaterThanOrEqual(3);
      expect(found).toHaveLength(expected.length);
      for (const overlap of bestIous(found, expected)) expect(overlap).toBeGreaterThan(0.9);
    }
  }, 30_000);

  it('applies the EXIF orientation: a turned photo tagged upright gives upright boxes', async () => {
    const turned = join(photos, 'turned-exif6.jpg');
    const original = readImageHeader(readFileSync(sample(1)));
    // Stored on its side: only the EXIF tag makes it upright.
    expect(readImageHeader(readFileSync(turned))).toMatchObject({
      width: original.height,
      height: original.width,
      orientation: 6,
    });
    const inPage = await detectInPage(turned);
    const upright = await nodeService.detectFaces({ Image: image(sample(1)) });
    const expected = (upright.FaceDetails ?? []).map((f) => f.BoundingBox ?? {});
    const found = (inPage.FaceDetails ?? []).map((f) => f.BoundingBox ?? {});
    expect(found).toHaveLength(expected.length);
    for (const overlap of bestIous(found, expected)) expect(overlap).toBeGreaterThan(0.8);
    // Upright faces: the landmark-based roll stays far from the ±90° of a sideways face.
    for (const face of inPage.FaceDetails ?? []) {
      expect(Math.abs(face.Pose?.Roll ?? 0)).toBeLessThan(60);
    }
  }, 20_000);

  it('CompareFaces: the same person scores high, different people low, as on Node', async () => {
    // sample3's largest face is also in sample1 (the README's CLI session); not in sample4.
    for (const [target, samePerson] of [
      [1, true],
      [4, false],
    ] as const) {
      const inPage = await compareInPage(sample(3), sample(target));
      const onNode = await nodeService.compareFaces({
        SourceImage: image(sample(3)),
        TargetImage: image(sample(target)),
        SimilarityThreshold: 0,
      });
      const best = (r: CompareFacesResponse) =>
        Math.max(0, ...(r.FaceMatches ?? []).map((m) => m.Similarity ?? 0));
      if (samePerson) expect(best(inPage)).toBeGreaterThan(90);
      else expect(best(inPage)).toBeLessThan(80);
      expect(Math.abs(best(inPage) - best(onNode))).toBeLessThan(3);
    }
  }, 30_000);

  it('answers InvalidImageFormatException for a file that is not JPEG or PNG', async () => {
    await page.setInputFiles('#detect-file', join(photos, 'not-an-image.gif'));
    await page.waitForSelector('#detect-summary[data-state=error]');
    expect(await page.textContent('#detect-summary')).toBe(
      'InvalidImageFormatException: Request has invalid image format.',
    );
  });

  it('refuses a model whose bytes differ from the manifest', async () => {
    const tampered = await browser.newPage();
    const model = `${faceModels['1.0'].landmarks}.onnx`;
    await tampered.route(`${server.url}models/${model}`, async (route) => {
      const body = readFileSync(join(modelsDir, model));
      body[body.length - 1] ^= 0xff;
      await route.fulfill({ body, contentType: 'application/octet-stream' });
    });
    tampered.on('request', (request) => requests.push(request.url()));
    await tampered.goto(server.url);
    await tampered.waitForSelector('#status[data-state=error]', { timeout: 30_000 });
    expect(await tampered.textContent('#status')).toMatch(
      new RegExp(`Model ${faceModels['1.0'].landmarks} .* failed its integrity check`),
    );
    await tampered.close();
  }, 40_000);

  it('made no request to anything but the local server, and the page threw nothing', () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !url.startsWith(server.url))).toEqual([]);
    // The photos were chosen through file inputs: none of them was ever requested.
    expect(requests.filter((url) => /sample|turned|\.gif/.test(url))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
