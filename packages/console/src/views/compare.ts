import {
  type BoundingBox,
  CompareFacesCommand,
  type CompareFacesMatch,
  ListFacesCommand,
} from '@aws-sdk/client-rekognition';
import { selection } from '../collections.js';
import { byId, h, percent, render } from '../dom.js';
import { externalImageIdOf } from '../external-image-id.js';
import { imageView, type Overlay } from '../image-view.js';
import { dropZone, imageBytes, knownImage } from '../photos.js';
import { call, session } from '../session.js';
import { isMatch, MATCH_SIMILARITY } from '../similarity.js';
import { explainInto } from './explain.js';

/** Compare: CompareFaces between the largest face of a source photo and every face of a target. */
export function renderCompare(panel: HTMLElement) {
  const files: { source?: File; target?: File } = {};
  const threshold = h('input', {
    id: 'compare-threshold',
    type: 'number',
    min: 0,
    max: 100,
    value: MATCH_SIMILARITY,
    class: 'narrow',
  });
  const result = h('div', { class: 'result', 'data-testid': 'compare-result' });
  const compare = h('button', { type: 'button', disabled: true }, 'Compare');
  const picked = (which: 'source' | 'target') => (chosen: File[]) => {
    files[which] = chosen[0];
    byId(`compare-${which}-name`).textContent = chosen[0].name;
    compare.disabled = !(files.source && files.target);
  };
  compare.addEventListener('click', async () => {
    const { source, target } = files;
    if (!source || !target) return;
    const [sourceBytes, targetBytes, sourceImage, targetImage] = await Promise.all([
      imageBytes(source),
      imageBytes(target),
      knownImage(source),
      knownImage(target),
    ]);
    const output = await call(
      () =>
        session.client.send(
          new CompareFacesCommand({
            SourceImage: { Bytes: sourceBytes },
            TargetImage: { Bytes: targetBytes },
            SimilarityThreshold: Number(threshold.value),
          }),
        ),
      compare,
    );
    if (!output) return;
    const found = output.FaceMatches ?? [];
    const matches = found.filter((m) => isMatch(m.Similarity)).length;
    const candidates = found.length - matches;
    const minimum = Number(threshold.value);
    const explained = h('div', { 'data-testid': 'compare-explain-result' });
    const explainTarget = { collection: selection.collection, file: target, sourceBytes };
    render(
      result,
      h(
        'p',
        { class: 'summary' },
        `${matches} of ${found.length + (output.UnmatchedFaces?.length ?? 0)} faces in ${target.name} match the largest face of ${source.name}`,
        candidates > 0 &&
          ` (${candidates} more scored ${minimum}% or more, below the calibrated ${MATCH_SIMILARITY}%)`,
      ),
      h(
        'div',
        { class: 'split' },
        imageView(
          sourceImage.url,
          [{ box: output.SourceImageFace?.BoundingBox, tone: 'searched', label: 'source' }],
          source.name,
        ),
        imageView(
          targetImage.url,
          [
            ...found.map(
              (m): Overlay => ({
                box: m.Face?.BoundingBox,
                tone: isMatch(m.Similarity) ? 'match' : 'candidate',
                label: percent(m.Similarity),
                landmarks: m.Face?.Landmarks,
              }),
            ),
            ...(output.UnmatchedFaces ?? []).map(
              (face): Overlay => ({ box: face.BoundingBox, tone: 'unmatched' }),
            ),
          ],
          target.name,
        ),
      ),
      found.length > 0 && explainButtons(found, explainTarget, explained),
      explained,
    );
  });
  render(
    panel,
    h(
      'p',
      { class: 'intro' },
      'CompareFaces: the largest face of the source against every face of the target.',
    ),
    h(
      'div',
      { class: 'split' },
      h(
        'div',
        null,
        dropZone('compare-source', 'Source photo', false, picked('source')),
        h('p', { id: 'compare-source-name', class: 'hint' }),
      ),
      h(
        'div',
        null,
        dropZone('compare-target', 'Target photo', false, picked('target')),
        h('p', { id: 'compare-target-name', class: 'hint' }),
      ),
    ),
    h(
      'div',
      { class: 'row' },
      h('label', { class: 'check' }, 'Similarity threshold ', threshold, ' %'),
      compare,
    ),
    result,
  );
}

/**
 * ExplainMatch explains a face of a collection with the largest face of a photo, and CompareFaces
 * keeps no faces. So a match of the target photo is explained when that photo was indexed into
 * the selected collection: its face there (same ExternalImageId, the box at the same spot) with
 * the source photo, whose largest face is the one CompareFaces compared.
 */
function explainButtons(
  found: CompareFacesMatch[],
  target: { collection: string | undefined; file: File; sourceBytes: Uint8Array },
  out: HTMLElement,
): HTMLElement {
  const { collection, file, sourceBytes } = target;
  if (!collection) {
    return h(
      'p',
      { class: 'hint' },
      `To explain a match, select a collection into which ${file.name} was indexed (ExplainMatch explains a face of a collection).`,
    );
  }
  return h(
    'p',
    { class: 'row' },
    found.map((match) => {
      const button = h(
        'button',
        { type: 'button', class: 'quiet' },
        `Explain ${percent(match.Similarity)}`,
      );
      button.addEventListener('click', async () => {
        const faceId = await indexedFaceAt(collection, file.name, match.Face?.BoundingBox, button);
        if (faceId === null) return;
        if (faceId === undefined) {
          render(
            out,
            h(
              'p',
              { class: 'hint' },
              `The face at ${percent(match.Similarity)} in ${file.name} is not indexed in ${collection}: index ${file.name} into it to explain this match.`,
            ),
          );
          return;
        }
        await explainInto(out, button, collection, faceId, sourceBytes, ['target', 'source']);
      });
      return button;
    }),
  );
}

/**
 * The FaceId of the face indexed from photo `name` at `box` (the one overlapping it most, by at
 * least half: the same detector finds the same box), undefined when there is none, null when
 * ListFaces failed (its error is shown).
 */
async function indexedFaceAt(
  collection: string,
  name: string,
  box: BoundingBox | undefined,
  button: HTMLButtonElement,
): Promise<string | undefined | null> {
  if (!box) return undefined;
  const externalImageId = externalImageIdOf(name);
  const best = await call(async () => {
    let found: { faceId?: string; overlap: number } = { overlap: 0.5 };
    let NextToken: string | undefined;
    do {
      const page = await session.client.send(
        new ListFacesCommand({ CollectionId: collection, MaxResults: 1000, NextToken }),
      );
      for (const face of page.Faces ?? []) {
        if (face.ExternalImageId !== externalImageId || !face.BoundingBox) continue;
        const overlap = intersectionOverUnion(box, face.BoundingBox);
        if (overlap >= found.overlap) found = { faceId: face.FaceId, overlap };
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return found;
  }, button);
  return best ? best.faceId : null;
}

function intersectionOverUnion(a: BoundingBox, b: BoundingBox): number {
  const [al, at, aw, ah] = [a.Left ?? 0, a.Top ?? 0, a.Width ?? 0, a.Height ?? 0];
  const [bl, bt, bw, bh] = [b.Left ?? 0, b.Top ?? 0, b.Width ?? 0, b.Height ?? 0];
  const w = Math.max(0, Math.min(al + aw, bl + bw) - Math.max(al, bl));
  const hgt = Math.max(0, Math.min(at + ah, bt + bh) - Math.max(at, bt));
  const inter = w * hgt;
  const union = aw * ah + bw * bh - inter;
  return union > 0 ? inter / union : 0;
}
