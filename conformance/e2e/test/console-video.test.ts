import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliResult, runCli } from '@facekit/cli';
import { renderSlideshow } from '@facekit/video-ffmpeg';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faceApiSamplesDir, repoRoot } from './sample-photos.js';

/**
 * The console's Video tab in headless Chromium: starts a face detection job on a video in a
 * folder bucket, follows it, and draws its timeline. The video is a slideshow of face-api's
 * sample photos (an npm package, so no ../shared needed): faces 0–2 s, black 2–3 s, faces 3–4 s.
 */

const CHROMIUM = '/usr/bin/chromium';
const reason = !existsSync(CHROMIUM)
  ? ` (skipped: no ${CHROMIUM}; apt-get install chromium, as .ci/run does)`
  : !existsSync(join(repoRoot, 'packages/console/dist/index.html')) ||
      !existsSync(join(repoRoot, 'models/dist/faceplugin-embed-mobilefacenet512.onnx'))
    ? ' (skipped: models or console not built; run pnpm build)'
    : spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).error
      ? ' (skipped: no ffmpeg on PATH; apt-get install ffmpeg, as .ci/run does)'
      : '';

const KEY = { id: 'AKIACONSOLEVIDEO0001', secret: 'console-video-secret' };

describe.skipIf(reason !== '')(`console Video tab${reason}`, { timeout: 60_000 }, () => {
  let dir: string;
  let server: CliResult & { kind: 'serving' };
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'facekit-console-video-'));
    await renderSlideshow(
      [
        { photo: join(faceApiSamplesDir, 'sample2.jpg'), seconds: 2, motion: 'still' },
        { seconds: 1 },
        { photo: join(faceApiSamplesDir, 'sample3.jpg'), seconds: 1, motion: 'still' },
      ],
      join(dir, 'clip.mp4'),
      { width: 640, height: 360 },
    );
    const started = await runCli(
      [
        ...['serve', '--port', '0', '--store', 'memory', '--log-level', 'silent', '--console'],
        ...['--s3-bucket-dir', `videos=${dir}`],
      ],
      { env: { FACEKIT_ACCESS_KEYS: `${KEY.id}:${KEY.secret}` } },
    );
    if (started.kind !== 'serving') throw new Error('facekit serve --console did not start');
    server = started;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.setDefaultTimeout(45_000);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts a face detection job and draws where faces are on screen', async () => {
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Access key id').fill(KEY.id);
    await page.getByLabel('Secret access key').fill(KEY.secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`connected as ${KEY.id}`).waitFor();

    await page.getByRole('tab', { name: 'Video' }).click();
    await page.locator('#video-bucket').fill('videos');
    await page.locator('#video-key').fill('clip.mp4');
    await page.getByRole('button', { name: 'Detect faces' }).click();
    const timeline = page.getByTestId('video-timeline');
    await timeline.waitFor();
    expect(await timeline.locator('.summary').textContent()).toMatch(
      /^0:04\.0, 640×360 h264: \d+ faces, sampled every 500 ms$/,
    );
    // Two spans: the first shot and the last, the black second between them empty.
    const spans = await timeline
      .locator('.timeline-span')
      .evaluateAll((elements) => elements.map((e) => e.getAttribute('title')));
    expect(spans).toEqual(['0:00.0–0:02.0', '0:03.0–0:04.0']);
    expect(await page.locator('#video-job-id').inputValue()).toMatch(/^[0-9a-f]{32}$/);
  });
});
