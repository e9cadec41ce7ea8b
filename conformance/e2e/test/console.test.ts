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
      // Kept source images (opt-in) let the faces' pictures survive a reload.
      const started = await runCli(
        [
          'serve',
          '--port',
          '0',
          '--store',
          'memory',
          '--log-level',
          'silent',
          '--console',
          '--keep-source-images',
        ],
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

    /**
     * What covers the faces of every picture on the page: for each box, the share of its area
     * under its visible landmark dots, and every label that overlaps a box other than its own.
     */
    /** FaceIds of the threshold-0 search, most similar to sample3's face first. */
    let scoresOfAll: string[] = [];
    const faceCoverage = () =>
      page.evaluate(`(() => {
        const area = (r) => r.width * r.height;
        const overlap = (a, b) => {
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          return w > 0 && h > 0 ? w * h : 0;
        };
        const dotShares = [];
        const coveringLabels = [];
        let labels = 0;
        let hoverOnly = 0;
        for (const frame of document.querySelectorAll('.frame')) {
          if (frame.getBoundingClientRect().width === 0) continue;
          const boxes = [...frame.querySelectorAll(':scope > .box')];
          for (const box of boxes) {
            const rect = box.getBoundingClientRect();
            // The visible dots whose centre lies on this face, wherever they sit in the DOM.
            const dots = [...frame.querySelectorAll('.landmark')]
              .filter((dot) => getComputedStyle(dot).display !== 'none')
              .map((dot) => dot.getBoundingClientRect())
              .filter((d) => {
                const x = d.left + d.width / 2;
                const y = d.top + d.height / 2;
                return x >= rect.left && x <= rect.right && y >= rect.top && y <= rect.bottom;
              })
              .map(area);
            dotShares.push(dots.reduce((a, b) => a + b, 0) / area(rect));
            const label = box.querySelector(':scope > .label');
            if (!label) continue;
            labels += 1;
            // A label with no free place shows on hover only.
            if (getComputedStyle(label).visibility === 'hidden') {
              hoverOnly += 1;
              continue;
            }
            for (const other of boxes) {
              if (other === box) continue;
              const covered = overlap(label.getBoundingClientRect(), other.getBoundingClientRect());
              if (covered > 0) coveringLabels.push(label.textContent + ' over ' + other.dataset.face);
            }
          }
        }
        return { dotShares, coveringLabels, labels, hoverOnly };
      })()`) as Promise<{
        dotShares: number[];
        coveringLabels: string[];
        labels: number;
        hoverOnly: number;
      }>;

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
      const { dotShares, coveringLabels, hoverOnly } = await faceCoverage();
      expect(coveringLabels).toEqual([]);
      expect(hoverOnly).toBe(0);
      for (const share of dotShares) expect(share).toBeLessThan(0.1);
      await shot('detect');
    });

    it('keeps small faces visible: dots sized to the face, no label over another face', async () => {
      // sample2 at 480 px: faces of 20–40 px on screen, each with the 30 landmarks of ALL.
      const small = await new Transformer(readFileSync(sample(2))).resize(480).png();
      await page.setInputFiles('#detect-file', {
        name: 'sample2-small.png',
        mimeType: 'image/png',
        buffer: small,
      });
      const result = page.getByTestId('detect-result');
      await result.getByText(/^sample2-small\.png: \d+ faces$/).waitFor();
      const boxes = await result.locator('.box').count();
      expect(boxes).toBeGreaterThanOrEqual(3);
      // 4 px dots (as before) cover a 30 px face by half; sized ones leave it visible.
      const { dotShares, coveringLabels, hoverOnly } = await faceCoverage();
      expect(dotShares).toHaveLength(boxes);
      for (const share of dotShares) expect(share).toBeLessThan(0.1);
      expect(coveringLabels).toEqual([]);
      expect(hoverOnly).toBe(0);
      await shot('detect-small');
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
      // Group photos in small cards: faces close together, and no label over another face.
      const coverage = await faceCoverage();
      expect(coverage.coveringLabels).toEqual([]);
      // Every face has a label, and almost all find a free place (the rest show on hover).
      expect(coverage.labels).toBe(await page.getByTestId('index-result').locator('.box').count());
      expect(coverage.hoverOnly).toBeLessThanOrEqual(2);
      await shot('index');
    });

    it('indexes a batch of 20 files: a card each, failures named with their error, n of N, a summary, a short page', async () => {
      // Face-less gradients (quick to analyse, no face added), two broken JPEGs and sample1.jpg
      // again (the same image and ExternalImageId is not stored twice).
      const gradient = (n: number) => {
        const pixels = new Uint8Array(400 * 300 * 4);
        for (let i = 0; i < 400 * 300; i++) {
          pixels.set([(i % 400) / 2 + n * 5, (i / 400 / 2) | 0, 120, 255], i * 4);
        }
        return Transformer.fromRgbaPixels(pixels, 400, 300).png();
      };
      const files = [
        { name: 'sample1.jpg', mimeType: 'image/jpeg', buffer: readFileSync(sample(1)) },
        { name: 'broken-1.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a JPEG at all') },
        ...(await Promise.all(
          Array.from({ length: 17 }, async (_, n) => ({
            name: `empty-${n + 1}.png`,
            mimeType: 'image/png',
            buffer: await gradient(n),
          })),
        )),
        {
          name: 'broken-2.jpg',
          mimeType: 'image/jpeg',
          buffer: Buffer.from([0xff, 0xd8, 0xff, 0]),
        },
      ];
      expect(files).toHaveLength(20);
      const before = await faceCount();
      await page.setInputFiles('#index-files', files);
      const progress = page.getByTestId('index-progress');
      await progress.filter({ hasText: /^Indexing \d+ of 20: / }).waitFor();
      await progress.filter({ hasText: /^20 photos: / }).waitFor({ timeout: 90_000 });
      expect(await progress.textContent()).toBe('20 photos: 3 faces indexed, 2 failed.');

      const cards = page.getByTestId('index-result').locator('.card');
      // The five of the first batch, then these twenty above them.
      expect(await cards.count()).toBe(25);
      const failed = page.getByTestId('index-result').locator('.card.failed');
      expect(await failed.count()).toBe(2);
      for (const name of ['broken-1.jpg', 'broken-2.jpg']) {
        const card = failed.filter({ hasText: name });
        expect(await card.locator('.summary').textContent()).toBe(`${name}: not indexed`);
        expect(await card.locator('.error').textContent()).toMatch(
          /^InvalidImageFormatException: /,
        );
      }
      expect(await cards.filter({ hasText: 'empty-9.png' }).locator('.summary').textContent()).toBe(
        'empty-9.png: 0 faces indexed',
      );
      await waitForFaceCount(before);
      // 25 full-size cards made a page of about 6,700 px; the cards now scroll in their box.
      const height = await page.evaluate('document.documentElement.scrollHeight');
      expect(height).toBeLessThan(1400);
      await shot('index-batch');
    }, 120_000);

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

    it('colours only scores at the calibrated 80 as matches, and says when MaxFaces cut the list', async () => {
      await page.locator('#search-threshold').fill('0');
      await page.locator('#search-max-faces').fill('5');
      await page.setInputFiles('#search-file', sample(3));
      const result = page.getByTestId('search-result');
      const rows = result.locator('table.matches tbody tr');
      await result.getByTestId('search-page-end').waitFor();
      expect(await rows.count()).toBe(5);
      expect(await result.getByTestId('search-page-end').textContent()).toContain(
        'The first 5 results (MaxFaces)',
      );
      await result.getByRole('button', { name: 'Show more' }).click();
      await result.getByTestId('search-page-end').waitFor({ state: 'detached' });
      // 25 asked for, fewer faces in the collection: all of them, and no "more".
      const total = await faceCount();
      expect(await rows.count()).toBe(total);
      const cells = await result.locator('td.similarity').evaluateAll((tds) =>
        tds.map((td) => ({
          value: Number.parseFloat(td.textContent ?? ''),
          match: td.classList.contains('match'),
        })),
      );
      for (const cell of cells) expect(cell.match).toBe(cell.value >= 80);
      expect(cells.filter((cell) => cell.match)).toHaveLength(1);
      expect(await result.getByTestId('below-threshold').textContent()).toContain(
        `${total - 1} below 80% shown muted`,
      );
      await shot('search-all');
      scoresOfAll = await rows.locator('td.mono').allTextContents();
      // Back to the default threshold: the next steps use the one match.
      await page.locator('#search-threshold').fill('80');
      await page.locator('#search-max-faces').fill('20');
      await page.setInputFiles('#search-file', sample(3));
      await result.getByTestId('below-threshold').waitFor({ state: 'detached' });
      await rows.first().waitFor();
      expect(await rows.count()).toBe(1);
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

    it('shows the score when AssociateFaces refuses a face too unlike the user', async () => {
      // The least similar face of the threshold-0 search: another person than ana.
      const listed = await page.locator('table.faces-list td.mono').allTextContents();
      const stranger = [...scoresOfAll].reverse().find((id) => listed.includes(id));
      expect(stranger).toBeDefined();
      await page.getByLabel(`select face ${stranger}`).check();
      await page.getByRole('button', { name: 'Associate', exact: true }).click();
      const notice = page.locator('#notice');
      await notice.getByText('LOW_MATCH_CONFIDENCE').waitFor();
      const score =
        /LOW_MATCH_CONFIDENCE: (\d+\.\d)% similar to ana's faces, below the 75% UserMatchThreshold/.exec(
          (await notice.textContent()) ?? '',
        );
      expect(score).not.toBeNull();
      expect(Number(score?.[1])).toBeLessThan(75);
      await notice.getByRole('button', { name: 'Dismiss' }).click();
    });

    it('Search: "who is in this photo?" names every face (WhoIsInImage), ana among them', async () => {
      // sample1.jpg's face associated with "ana" above is in this photo; its other faces are
      // faces of no user (indexed from the same photo), named after their ExternalImageId.
      await page.getByRole('tab', { name: 'Search' }).click();
      await page.setInputFiles('#search-file', sample(1));
      const result = page.getByTestId('search-result');
      await result.locator('.summary').first().waitFor();
      await result.getByRole('button', { name: 'Who is in this photo?' }).click();
      const who = page.getByTestId('who-result');
      const rows = who.getByTestId('who-face');
      await rows.first().waitFor();
      const texts = await rows.allTextContents();
      expect(texts.length).toBeGreaterThan(1);
      const ana = texts.find((t) => t.startsWith('ana'));
      expect(ana).toMatch(/^ana100\.0%≤0\.1%/);
      // Every face is boxed on the photo, with its name or "unknown".
      expect(await who.locator('.box').count()).toBe(texts.length);
      await who.locator('.box .label', { hasText: /^ana 100\.0%$/ }).waitFor();
      expect(pageErrors).toEqual([]);
      await shot('who');
    });

    it('Search: "Explain" on a match says why (ExplainMatch): rate, both faces measured, margin', async () => {
      const result = page.getByTestId('search-result');
      await result
        .locator('table.matches tbody tr')
        .first()
        .getByRole('button', { name: 'Explain' })
        .click();
      const explained = page.getByTestId('explain-result');
      const summary = explained.locator('.summary');
      await summary.waitFor();
      expect(await summary.textContent()).toMatch(
        /\d+\.\d% \(a match\), false accept rate ≤0\.1%; weaker face: .*; next-best person .* margin \d/,
      );
      const rows = explained.locator('tbody tr');
      expect(await rows.count()).toBe(2);
      // Both faces measured in pixels: the searched photo, and the indexed one the server kept.
      for (const row of await rows.all()) expect(await row.textContent()).toMatch(/\d+ px/);
      expect(pageErrors).toEqual([]);
    });

    it("shows the faces' pictures after a reload, from the images the server kept", async () => {
      await page.reload();
      await page.getByText(`connected as ${KEY.id}`).waitFor();
      await page.getByRole('button', { name: 'friends' }).click();
      await page.getByRole('tab', { name: 'Faces' }).click();
      const rows = page.locator('table.faces-list tbody tr');
      await rows.first().locator('td.mono').waitFor();
      const count = await rows.count();
      expect(count).toBe(await faceCount());
      // Nothing of the indexing tab survived the reload: each picture came from the server.
      await expect
        .poll(() => page.locator('table.faces-list .thumb').count(), { timeout: 10_000 })
        .toBe(count);
      expect(pageErrors).toEqual([]);
      await shot('faces-reloaded');
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

      // At threshold 0 every face scores, but only the one at 80 or more is a match.
      await page.locator('#compare-threshold').fill('0');
      await page.getByRole('button', { name: 'Compare', exact: true }).click();
      await result.getByText(/more scored 0% or more, below the calibrated 80%/).waitFor();
      expect(await result.locator('.summary').textContent()).toMatch(
        /^1 of 3 faces in sample1\.jpg match/,
      );
      expect(await result.locator('.box.match').count()).toBe(1);
      const candidates = await result.locator('.box.candidate .label').allTextContents();
      expect(candidates.length).toBe(2);
      for (const text of candidates) expect(Number.parseFloat(text)).toBeLessThan(80);
      await page.locator('#compare-threshold').fill('80');
    });

    it('Compare: "Explain" on a match of an indexed target photo calls ExplainMatch; otherwise says why not', async () => {
      // friends is selected and holds sample1.jpg's faces (Index tab): the match is explainable.
      await page.getByRole('button', { name: 'Compare', exact: true }).click();
      const result = page.getByTestId('compare-result');
      // The previous result (at threshold 0) had a button per face: wait for the one match's.
      const buttons = result.getByRole('button', { name: /^Explain / });
      await expect.poll(() => buttons.count(), { timeout: 10_000 }).toBe(1);
      const compared = Number.parseFloat(
        (await result.locator('.box.match .label').textContent()) ?? '',
      );
      await buttons.click();
      const explained = page.getByTestId('compare-explain-result');
      const summary = explained.locator('.summary');
      await summary.waitFor();
      const text = (await summary.textContent()) ?? '';
      expect(text).toMatch(/\d+\.\d% \(a match\), false accept rate ≤0\.1%; weaker face: /);
      // The indexed face of sample1.jpg is the one CompareFaces matched: the same score.
      const similarity = Number.parseFloat(/: (\d+\.\d)%/.exec(text)?.[1] ?? '');
      expect(Math.abs(similarity - compared)).toBeLessThan(1);
      const rows = explained.locator('tbody tr');
      expect(await rows.locator('td:first-child').allTextContents()).toEqual(['target', 'source']);
      for (const row of await rows.all()) expect(await row.textContent()).toMatch(/\d+ px/);

      // sample3.jpg was never indexed: its match cannot be explained, and the console says so.
      await page.setInputFiles('#compare-source', sample(1));
      await page.setInputFiles('#compare-target', sample(3));
      // At threshold 0 every face of sample3.jpg scores, so each has a button.
      await page.locator('#compare-threshold').fill('0');
      await page.getByRole('button', { name: 'Compare', exact: true }).click();
      await result.getByText(/faces in sample3\.jpg match/).waitFor();
      await result
        .getByRole('button', { name: /^Explain / })
        .first()
        .click();
      await explained
        .getByText('in sample3.jpg is not indexed in friends: index sample3.jpg into it', {
          exact: false,
        })
        .waitFor();
      await page.locator('#compare-threshold').fill('80');
      expect(pageErrors).toEqual([]);
      await shot('compare-explain');
    });

    it('works at 768 px wide: every tab reachable and whole, the panel within the window', async () => {
      await page.setViewportSize({ width: 768, height: 1024 });
      try {
        for (const name of [
          'Detect',
          'Index',
          'Search',
          'Faces',
          'Users',
          'People',
          'Compare',
          'Video',
        ]) {
          const tab = page.getByRole('tab', { name });
          const box = await tab.boundingBox();
          expect(box, name).not.toBeNull();
          expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= 768, name).toBe(true);
          await tab.click();
          expect(await tab.getAttribute('aria-selected')).toBe('true');
          const panel = page.locator(`#tab-${name.toLowerCase()}`);
          expect(await panel.isVisible()).toBe(true);
        }
        const scrollWidth = await page.evaluate('document.documentElement.scrollWidth');
        expect(scrollWidth).toBeLessThanOrEqual(768);
        await shot('768');
      } finally {
        await page.setViewportSize({ width: 1280, height: 860 });
      }
    });

    it('People: a new photo of a named user joins it, and "not this person" takes it out', async () => {
      // sample3.jpg's largest face is the person of sample1.jpg associated with "ana" above.
      await page.getByRole('tab', { name: 'Index' }).click();
      await page.setInputFiles('#index-files', [sample(3)]);
      await page
        .getByTestId('index-result')
        .locator('.card .summary', { hasText: 'sample3.jpg' })
        .waitFor();
      await page.getByRole('tab', { name: 'People' }).click();
      const result = page.getByTestId('people-result');
      await result.locator('.summary').waitFor();
      const ana = result.getByTestId('cluster').filter({ hasText: /^\s*ana: 1 new of 2 faces/ });
      await ana.waitFor();
      // The new face, from sample3.jpg, shows with its picture (indexed from this tab).
      expect(await ana.locator('li').count()).toBe(1);
      expect(await ana.locator('li').textContent()).toContain('sample3.jpg');
      expect(await ana.locator('.thumb').count()).toBe(1);
      await shot('people');
      await ana.getByRole('button', { name: /^not this person/ }).click();
      await result
        .getByTestId('cluster')
        .filter({ hasText: /^\s*ana:/ })
        .waitFor({ state: 'detached' });
      // Asked again, ClusterFaces remembers the decision.
      await page.getByRole('button', { name: 'Find people' }).click();
      await result.locator('.summary').waitFor();
      expect(
        await result
          .getByTestId('cluster')
          .filter({ hasText: /^\s*ana:/ })
          .count(),
      ).toBe(0);
      expect(pageErrors).toEqual([]);
      expect(cspViolations).toEqual([]);
    });

    it('forgets the keys: no collection data stays on screen', async () => {
      await page.getByRole('tab', { name: 'Faces' }).click();
      await page.locator('table.faces-list td.mono').first().waitFor();
      await page.getByRole('button', { name: 'Access keys' }).click();
      await page.getByRole('button', { name: 'Forget keys' }).click();
      // The placeholder keys are refused: the dialog asks again, over an empty console.
      await page.locator('#sign-in').waitFor({ state: 'visible' });
      // Hidden tabs count too: their text is in the page.
      const text = (await page.locator('body').textContent()) ?? '';
      for (const gone of [
        /friends/,
        /sample\d/,
        /\bana\b/,
        /empty-9/,
        /[0-9a-f]{8}-[0-9a-f]{4}-/,
      ]) {
        expect(text).not.toMatch(gone);
      }
      expect(await page.locator('.frame, .thumb, table.faces-list, .card').count()).toBe(0);
      expect(await page.getByTestId('face-count').count()).toBe(0);

      await page.getByLabel('Access key id').fill(KEY.id);
      await page.getByLabel('Secret access key').fill(KEY.secret);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'friends' }).click();
      await page.getByTestId('face-count').waitFor();
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
