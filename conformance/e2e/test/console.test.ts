import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, runCli } from '@facekit/cli';
import { faceModels } from '@facekit/pipeline-node';
import { Transformer } from '@napi-rs/image';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faceApiSamplesDir, repoRoot } from './sample-photos.js';

/**
 * The web console in a real browser: Debian's Chromium (headless, driven by playwright-core)
 * against a real `facekit serve --console` with SigV4 on and the real face models. The console
 * signs with the AWS SDK bundled for the browser, so this also proves browser-signed requests
 * pass the server's verification. Screenshots go to conformance/e2e/artifacts/ (git-ignored).
 */

const CHROMIUM = '/usr/bin/chromium';
const modelsBuilt = Object.values(faceModels['1.0']).every((id) =>
  existsSync(join(repoRoot, 'models/dist', `${id}.onnx`)),
);
const consoleBuilt = existsSync(join(repoRoot, 'packages/console/dist/index.html'));
const samplesDir = faceApiSamplesDir;
const sample = (n: number) => join(samplesDir, `sample${n}.jpg`);
const artifacts = join(repoRoot, 'conformance/e2e/artifacts');

const reason = !existsSync(CHROMIUM)
  ? ` (skipped: no ${CHROMIUM}; apt-get install chromium, as .ci/run does)`
  : !modelsBuilt || !consoleBuilt
    ? ' (skipped: models or console not built; run pnpm build)'
    : '';

const KEY = { id: 'AKIACONSOLETEST00001', secret: 'console-e2e-secret' };

describe.skipIf(reason !== '')(
  `web console in headless Chromium${reason}`,
  { timeout: 30_000 },
  () => {
    let server: CliResult & { kind: 'serving' };
    let browser: Browser;
    let page: Page;
    const pageErrors: string[] = [];
    const cspViolations: string[] = [];

    beforeAll(async () => {
      mkdirSync(artifacts, { recursive: true });
      const started = await runCli(
        ['serve', '--port', '0', '--store', 'memory', '--log-level', 'silent', '--console'],
        { env: { FACEKIT_ACCESS_KEYS: `${KEY.id}:${KEY.secret}` } },
      );
      if (started.kind !== 'serving') throw new Error('facekit serve --console did not start');
      server = started;
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      page.setDefaultTimeout(20_000);
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      });
      // Deleting asks for confirmation.
      page.on('dialog', (dialog) => void dialog.accept());
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    const shot = (name: string) =>
      page.screenshot({ path: join(artifacts, `console-${name}.png`), fullPage: true });
    const faceCount = async () => Number(await page.getByTestId('face-count').textContent());
    const waitForFaceCount = (n: number) =>
      page
        .getByTestId('face-count')
        .filter({ hasText: new RegExp(`^${n}$`) })
        .waitFor();

    it('asks for access keys, refuses a wrong secret, then signs in', async () => {
      await page.goto(`${server.url}/console/`);
      const dialog = page.locator('#sign-in');
      await dialog.waitFor({ state: 'visible' });

      await page.getByLabel('Access key id').fill(KEY.id);
      await page.getByLabel('Secret access key').fill('not-the-secret');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('The server refused these keys').waitFor();
      expect(await page.locator('#sign-in-reason').textContent()).toContain('signature');

      await page.getByLabel('Secret access key').fill(KEY.secret);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText(`connected as ${KEY.id}`).waitFor();
      expect(await dialog.isVisible()).toBe(false);
      await page.getByText('No collections yet.').waitFor();

      // The keys live in this tab's sessionStorage: a reload stays signed in.
      await page.reload();
      await page.getByText(`connected as ${KEY.id}`).waitFor();
      expect(await dialog.isVisible()).toBe(false);
    });

    it('DetectFaces draws every face of a real photo, with all attributes', async () => {
      await page.getByLabel('All attributes').check();
      await page.setInputFiles('#detect-file', sample(1));
      const result = page.getByTestId('detect-result');
      await result.getByText('sample1.jpg: 3 faces').waitFor();
      expect(await result.locator('.box').count()).toBe(3);
      // ALL returns the 30 landmark types per face; the table gets the attribute columns.
      expect(await result.locator('.landmark').count()).toBe(90);
      expect(await result.locator('table.faces tbody tr').count()).toBe(3);
      expect(await result.locator('th', { hasText: 'Age' }).count()).toBe(1);
      expect(await result.locator('td', { hasText: /^\d+–\d+$/ }).count()).toBe(3);
      await shot('detect');
    });

    it('takes a dropped photo as well as a chosen one', async () => {
      const base64 = readFileSync(sample(2)).toString('base64');
      // A DataTransfer holding the file, as the browser builds it for a drag from the desktop.
      const dataTransfer = await page.evaluateHandle(`(() => {
        const bytes = Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], 'sample2.jpg', { type: 'image/jpeg' }));
        return transfer;
      })()`);
      await page.locator('#tab-detect .drop').dispatchEvent('drop', { dataTransfer });
      const result = page.getByTestId('detect-result');
      await result.getByText(/^sample2\.jpg: \d+ faces$/).waitFor();
      expect(await result.locator('.box').count()).toBeGreaterThanOrEqual(3);
    });

    it('re-encodes a photo over the 5 MiB of Image.Bytes in the browser before sending it', async () => {
      const big = await new Transformer(readFileSync(sample(1))).resize(3200).png();
      expect(big.length).toBeGreaterThan(5 * 1024 * 1024);
      await page.setInputFiles('#detect-file', {
        name: 'sample1-large.png',
        mimeType: 'image/png',
        buffer: big,
      });
      const result = page.getByTestId('detect-result');
      await result.getByText('sample1-large.png: 3 faces').waitFor();
      expect(await result.locator('.box').count()).toBe(3);
    });

    it('creates a collection and indexes photos with their file names as ExternalImageId', async () => {
      await page.getByLabel('New collection id').fill('friends');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.getByRole('button', { name: 'friends' }).waitFor();
      expect(await faceCount()).toBe(0);

      await page.getByRole('tab', { name: 'Index' }).click();
      // Every sample but sample3.jpg, whose largest face is then searched for.
      await page.setInputFiles('#index-files', [1, 2, 4, 5, 6].map(sample));
      const summaries = page.getByTestId('index-result').locator('.card .summary');
      // The photos are indexed one after the other: the fifth summary means all are done.
      await summaries.nth(4).waitFor();
      const texts = await summaries.allTextContents();
      expect(texts[0]).toBe('sample1.jpg: 3 faces indexed');
      const indexed = texts.reduce(
        (sum, text) => sum + Number(/: (\d+) faces? indexed/.exec(text)?.[1]),
        0,
      );
      await waitForFaceCount(indexed);
      expect(indexed).toBeGreaterThanOrEqual(14);
      await shot('index');
    });

    it('SearchFacesByImage finds the same person in another photo, with its similarity', async () => {
      await page.getByRole('tab', { name: 'Search' }).click();
      await page.setInputFiles('#search-file', sample(3));
      const rows = page.getByTestId('search-result').locator('table.matches tbody tr');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(1);
      expect(await rows.locator('.external-id').textContent()).toBe('sample1.jpg');
      const similarity = Number.parseFloat((await rows.locator('.similarity').textContent()) ?? '');
      expect(similarity).toBeGreaterThanOrEqual(80);
      expect(similarity).toBeLessThan(100);
      // The matched face is cut out of the photo indexed from this tab.
      expect(await rows.locator('.thumb').count()).toBe(1);
      expect(pageErrors).toEqual([]);
      await shot('search');
    });

    it('creates a user, associates the matched face with it, and deletes a face', async () => {
      const matched = await page
        .getByTestId('search-result')
        .locator('table.matches tbody tr td.mono')
        .textContent();
      await page.getByRole('tab', { name: 'Users' }).click();
      await page.getByLabel('New user id').fill('ana');
      await page.getByRole('button', { name: 'Create user' }).click();
      await page.locator('table.users td', { hasText: 'ana' }).waitFor();

      await page.getByRole('tab', { name: 'Faces' }).click();
      const before = await faceCount();
      await page.getByLabel(`select face ${matched}`).check();
      await page.getByRole('button', { name: 'Associate', exact: true }).click();
      const row = page.locator('table.faces-list tr', { hasText: matched ?? '' });
      await row.locator('td', { hasText: /^ana$/ }).waitFor();

      const rows = page.locator('table.faces-list tbody tr');
      expect(await rows.count()).toBe(before);
      const victim = await rows.nth(1).locator('td.mono').textContent();
      await page.getByLabel(`select face ${victim}`).check();
      await page.getByRole('button', { name: 'Delete selected' }).click();
      await waitForFaceCount(before - 1);
      await page.locator('table.faces-list', { hasNotText: victim ?? '' }).waitFor();
      await shot('faces');
    });

    it('CompareFaces marks the matching face in the target photo', async () => {
      await page.getByRole('tab', { name: 'Compare' }).click();
      await page.setInputFiles('#compare-source', sample(3));
      await page.setInputFiles('#compare-target', sample(1));
      await page.getByRole('button', { name: 'Compare', exact: true }).click();
      const result = page.getByTestId('compare-result');
      await result.getByText('1 of 3 faces in sample1.jpg match').waitFor();
      const label = await result.locator('.box.match .label').textContent();
      expect(Number.parseFloat(label ?? '')).toBeGreaterThanOrEqual(80);
      await shot('compare');
    });

    it('deletes the collection', async () => {
      await page.getByRole('button', { name: 'Delete collection' }).click();
      await page.getByText('No collections yet.').waitFor();
      expect(pageErrors).toEqual([]);
      expect(cspViolations).toEqual([]);
    });

    it('asks for no keys when authentication is off (any credentials work)', async () => {
      const open = await runCli(
        ['serve', '--port', '0', '--store', 'memory', '--log-level', 'silent', '--console'],
        { env: { FACEKIT_FACE_MODEL: 'none' } },
      );
      if (open.kind !== 'serving') throw new Error('facekit serve --console did not start');
      const fresh = await browser.newPage();
      try {
        await fresh.goto(`${open.url}/console/`);
        await fresh.getByText('connected', { exact: true }).waitFor();
        await fresh.getByLabel('New collection id').fill('open');
        await fresh.getByRole('button', { name: 'Create', exact: true }).click();
        await fresh.getByRole('button', { name: 'open' }).waitFor();
        expect(await fresh.locator('#sign-in').isVisible()).toBe(false);
      } finally {
        await fresh.close();
        await open.close();
      }
    });
  },
);
