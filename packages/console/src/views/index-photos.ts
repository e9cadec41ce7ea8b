import { IndexFacesCommand } from '@aws-sdk/client-rekognition';
import { describeCollection } from '../collections.js';
import { h, render } from '../dom.js';
import { externalImageIdOf } from '../external-image-id.js';
import { rememberPicture } from '../face-pictures.js';
import { shortId } from '../face-row.js';
import { imageView, type Overlay } from '../image-view.js';
import { dropZone, imageBytes, knownImage, plural } from '../photos.js';
import { attempt, session } from '../session.js';
import { peopleFolders } from './people-folders.js';

/**
 * Index: IndexFaces for each dropped photo, one after the other. Every file gets a compact card
 * (its faces, or its error), a line says which of how many is running and, at the end, what the
 * batch did; the cards scroll in their own box, so a long batch keeps the page short. Below,
 * folders of people (`people-folders.ts`).
 */
export function renderIndex(panel: HTMLElement, collection: string) {
  const progress = h('p', { class: 'progress', 'data-testid': 'index-progress', hidden: true });
  const cards = h('div', { class: 'cards' });
  const results = h('div', { class: 'result', 'data-testid': 'index-result' }, progress, cards);
  const run = async (files: File[]) => {
    const queue = files.map((file) => {
      const card = h('div', { class: 'card pending' }, h('p', { class: 'name' }, file.name));
      return { file, card };
    });
    cards.prepend(...queue.map((item) => item.card));
    const totals = { indexed: 0, unindexed: 0, failed: 0, done: 0 };
    progress.hidden = false;
    for (const [i, { file, card }] of queue.entries()) {
      progress.textContent = `Indexing ${i + 1} of ${files.length}: ${file.name}…`;
      card.classList.add('running');
      const outcome = await indexOne(collection, file, card);
      totals.done += 1;
      if (outcome === 'auth') {
        // The key dialog is open: the rest waits for the user to sign in and drop them again.
        for (const rest of queue.slice(i)) {
          rest.card.className = 'card failed';
          render(
            rest.card,
            h('p', { class: 'summary' }, `${rest.file.name}: not sent`),
            h('p', { class: 'error' }, 'Access keys needed: sign in and drop the photo again.'),
          );
        }
        totals.failed += files.length - i;
        break;
      }
      if (outcome === 'failed') totals.failed += 1;
      else {
        totals.indexed += outcome.indexed;
        totals.unindexed += outcome.unindexed;
      }
    }
    progress.textContent =
      `${plural(files.length, 'photo')}: ${plural(totals.indexed, 'face')} indexed` +
      (totals.unindexed > 0 ? `, ${totals.unindexed} not indexed` : '') +
      (totals.failed > 0 ? `, ${totals.failed} failed` : '') +
      '.';
    progress.classList.toggle('has-failures', totals.failed > 0);
    await describeCollection();
  };
  render(
    panel,
    h(
      'p',
      { class: 'intro' },
      `IndexFaces into ${collection}: every face of each photo is stored, with the file name as ExternalImageId.`,
    ),
    dropZone('index-files', 'Drop photos here, or click to choose them', true, run),
    results,
    peopleFolders(collection),
  );
}

type Outcome = { indexed: number; unindexed: number } | 'failed' | 'auth';

async function indexOne(collection: string, file: File, card: HTMLElement): Promise<Outcome> {
  const externalImageId = externalImageIdOf(file.webkitRelativePath || file.name);
  const [bytes, image] = await Promise.all([imageBytes(file), knownImage(file)]);
  const outcome = await attempt(() =>
    session.client.send(
      new IndexFacesCommand({
        CollectionId: collection,
        Image: { Bytes: bytes },
        ExternalImageId: externalImageId,
      }),
    ),
  );
  if (!outcome.ok) {
    URL.revokeObjectURL(image.url);
    if (outcome.authentication) return 'auth';
    card.className = 'card failed';
    render(
      card,
      h('p', { class: 'summary' }, `${file.name}: not indexed`),
      h('p', { class: 'error' }, outcome.message),
    );
    return 'failed';
  }
  const output = outcome.value;
  const indexed = output.FaceRecords ?? [];
  const unindexed = output.UnindexedFaces ?? [];
  rememberPicture(indexed[0]?.Face?.ImageId, image);
  const reasons = [...new Set(unindexed.flatMap((u) => u.Reasons ?? []))].join(', ');
  card.className = indexed.length > 0 ? 'card' : 'card empty';
  render(
    card,
    h(
      'p',
      { class: 'summary', title: externalImageId },
      `${externalImageId}: ${plural(indexed.length, 'face')} indexed`,
      unindexed.length > 0 && `, ${unindexed.length} not indexed (${reasons})`,
    ),
    imageView(
      image.url,
      [
        ...indexed.map(
          (record): Overlay => ({
            box: record.Face?.BoundingBox,
            label: shortId(record.Face?.FaceId),
            landmarks: record.FaceDetail?.Landmarks,
          }),
        ),
        ...unindexed.map(
          (u): Overlay => ({
            box: u.FaceDetail?.BoundingBox,
            tone: 'unmatched',
            label: 'not indexed',
          }),
        ),
      ],
      externalImageId,
    ),
  );
  return { indexed: indexed.length, unindexed: unindexed.length };
}
