import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ListFacesCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { type CliResult, runCli } from '@facekit/cli';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './sample-photos.js';

/**
 * The console's folders of people and "undo not this person", in headless Chromium against a
 * real `facekit serve --console` with the face models: the user chooses a folder (one subfolder
 * per person, face_recognition's labelled photos from ../shared/datasets with bystanders, a
 * stranger and a photo without a face mixed in), as `facekit index --users-from-folders` does.
 */

const CHROMIUM = '/usr/bin/chromium';
const datasetsDir = process.env.FACEKIT_DATASETS ?? resolve(repoRoot, '../shared/datasets');
const knn = join(datasetsDir, 'face_recognition/examples/knn_examples');
const reason = !existsSync(CHROMIUM)
  ? `no ${CHROMIUM}; apt-get install chromium, as .ci/run does`
  : !existsSync(join(repoRoot, 'packages/console/dist/index.html')) ||
      !existsSync(join(repoRoot, 'models/dist/faceplugin-embed-mobilefacenet512.onnx'))
    ? 'models or console not built; run pnpm build'
    : !existsSync(knn)
      ? `../shared/datasets not found (set FACEKIT_DATASETS); looked in ${datasetsDir}`
      : undefined;

/** Two photos of each person from face_recognition's knn example folders. */
const twoPhotos: Record<string, [string, string]> = {
  obama: ['obama.jpg', 'obama2.jpg'],
  biden: ['biden.jpg', 'biden2.jpg'],
  kit_harington: ['john1.jpeg', 'john2.jpeg'],
  rose_leslie: ['img1.jpg', 'img2.jpg'],
};

describe.skipIf(reason !== undefined)(
  `console: folders of people and undoing "not this person"${reason ? ` (skipped: ${reason})` : ''}`,
  { timeout: 60_000 },
  () => {
    let dir: string;
    let server: CliResult & { kind: 'serving' };
    let browser: Browser;
    let page: Page;
    let sdk: RekognitionClient;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'facekit-console-people-'));
      await mkdir(join(repoRoot, 'conformance/e2e/artifacts'), { recursive: true });
      const people = join(dir, 'people');
      for (const [person, photos] of Object.entries(twoPhotos)) {
        await mkdir(join(people, person), { recursive: true });
        await copyFile(join(knn, 'train', person, photos[0]), join(people, person, 'a.jpg'));
        await copyFile(join(knn, 'train', person, photos[1]), join(people, person, 'b.jpg'));
      }
      // Bystanders: Obama with Biden and two more; Rose Leslie with Kit Harington. Biden in
      // Obama's folder, a photo without a face in Biden's, a note outside any person's folder.
      await copyFile(join(knn, 'test/obama_and_biden.jpg'), join(people, 'obama/with biden.jpg'));
      await copyFile(join(knn, 'test/kit_with_rose.jpg'), join(people, 'rose_leslie/with kit.jpg'));
      await copyFile(
        join(datasetsDir, 'face_recognition/tests/test_images/biden.jpg'),
        join(people, 'obama/not him.jpg'),
      );
      await copyFile(
        join(datasetsDir, 'misc/debian-skimage/coffee.png'),
        join(people, 'biden/coffee.png'),
      );
      await copyFile(join(knn, 'train/obama/obama.jpg'), join(people, 'loose photo.jpg'));

      const started = await runCli(
        ['serve', '--port', '0', '--store', 'memory', '--log-level', 'silent', '--console'],
        {},
      );
      if (started.kind !== 'serving') throw new Error('facekit serve --console did not start');
      server = started;
      // No access keys on the server: any credentials sign.
      sdk = new RekognitionClient({
        endpoint: server.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIAANY', secretAccessKey: 'any' },
      });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
      });
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.setDefaultTimeout(45_000);
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(`${server.url}/console/`);
      await page.getByText('connected', { exact: true }).waitFor();
      await page.getByLabel('New collection id').fill('family');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.getByRole('button', { name: 'family' }).waitFor();
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      sdk?.destroy();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    const listFaces = async () =>
      (await sdk.send(new ListFacesCommand({ CollectionId: 'family', MaxResults: 4096 }))).Faces ??
      [];
    const rowOf = (userId: string) =>
      page.getByTestId('folder-user').filter({ has: page.locator('td', { hasText: userId }) });
    const chooseFolder = async () => {
      await page.getByRole('tab', { name: 'Index' }).click();
      await page.setInputFiles('#people-folder', join(dir, 'people'));
      await page
        .getByTestId('folders-progress')
        .filter({ hasText: /^4 folders, 12 photos: / })
        .waitFor({ timeout: 240_000 });
    };

    it('a user per subfolder, only the face the other photos show, skipped photos with why', async () => {
      await chooseFolder();
      expect(await page.getByTestId('folders-progress').textContent()).toBe(
        '4 folders, 12 photos: 10 associated, 2 skipped.',
      );
      const rows = await page.getByTestId('folder-user').allTextContents();
      expect(rows).toEqual([
        'biden32 (0 before)1: no face 1',
        'kit_harington22 (0 before)0',
        'obama43 (0 before)1: no face matching the others 1',
        'rose_leslie33 (0 before)0',
      ]);
      expect(await page.getByTestId('folder-skipped').locator('li').allTextContents()).toEqual([
        'biden/coffee.png: no face',
        'obama/not him.jpg: no face matching the others',
      ]);
      await page.getByText("Not in a person's folder (ignored): loose photo.jpg").waitFor();
      await page.screenshot({
        path: join(repoRoot, 'conformance/e2e/artifacts/console-people-folders.png'),
        fullPage: true,
      });

      // Through the API: one face per group photo is associated, and it is the folder's person
      // (Obama stands right of Biden, Rose Leslie left of Kit Harington); Biden is nobody's.
      const faces = await listFaces();
      const associated = (image: string) =>
        faces.filter((f) => f.ExternalImageId === image && f.UserId !== undefined);
      const centreX = (f: (typeof faces)[number]) =>
        (f.BoundingBox?.Left ?? 0) + (f.BoundingBox?.Width ?? 0) / 2;
      const [obama, ...moreObama] = associated('obama:with_biden.jpg');
      expect(moreObama).toEqual([]);
      expect(obama.UserId).toBe('obama');
      expect(centreX(obama)).toBeGreaterThan(0.5);
      expect(
        faces.filter((f) => f.ExternalImageId === 'obama:with_biden.jpg').length,
      ).toBeGreaterThan(1);
      const [rose, ...moreRose] = associated('rose_leslie:with_kit.jpg');
      expect(moreRose).toEqual([]);
      expect(rose.UserId).toBe('rose_leslie');
      expect(centreX(rose)).toBeLessThan(0.5);
      expect(associated('obama:not_him.jpg')).toEqual([]);
      expect(faces.some((f) => f.ExternalImageId?.startsWith('loose'))).toBe(false);
      expect(pageErrors).toEqual([]);
    }, 300_000);

    it('the same folder again resumes: nothing indexed twice, every face associated before', async () => {
      const before = (await listFaces()).length;
      await chooseFolder();
      expect(await rowOf('obama').textContent()).toBe(
        'obama43 (3 before)1: no face matching the others 1',
      );
      expect(await rowOf('rose_leslie').textContent()).toBe('rose_leslie33 (3 before)0');
      expect((await listFaces()).length).toBe(before);
    }, 300_000);

    it('People: "not this person" is listed under the clusters, and Undo takes it back', async () => {
      await page.getByRole('tab', { name: 'People' }).click();
      const result = page.getByTestId('people-result');
      await result.locator('.summary').waitFor();
      // New faces of a user (a bystander of a group photo, the stranger in Obama's folder).
      const known = result
        .getByTestId('cluster')
        .filter({ hasText: /^\s*\w+: \d+ new of \d+ faces/ });
      await known.first().waitFor();
      const title = (await known.first().locator('h3').textContent()) ?? '';
      const userId = /^\s*(\w+):/.exec(title)?.[1] as string;
      const ofUser = () =>
        result.getByTestId('cluster').filter({ hasText: new RegExp(`^\\s*${userId}: `) });
      const faceIds = await ofUser()
        .locator('li')
        .evaluateAll((items) => items.map((li) => li.getAttribute('title')));
      expect(faceIds.length).toBeGreaterThan(0);
      const refused = faceIds[0] as string;
      await ofUser()
        .getByRole('button', { name: `not this person: ${refused}` })
        .click();
      const decision = result.getByTestId('separation');
      await decision.waitFor();
      expect(await decision.count()).toBe(1);
      expect(await decision.textContent()).toMatch(new RegExp(` is not user ${userId} Undo$`));
      // The face left the user's cluster.
      if (faceIds.length === 1) await ofUser().waitFor({ state: 'detached' });
      else expect(await ofUser().locator(`li[title="${refused}"]`).count()).toBe(0);

      await decision.getByRole('button', { name: `undo: ${refused}` }).click();
      await decision.waitFor({ state: 'detached' });
      await ofUser().locator(`li[title="${refused}"]`).waitFor();
      expect(pageErrors).toEqual([]);
    }, 120_000);
  },
);
