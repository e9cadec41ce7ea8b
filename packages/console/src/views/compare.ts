import { CompareFacesCommand } from '@aws-sdk/client-rekognition';
import { byId, h, percent, render } from '../dom.js';
import { imageView, type Overlay } from '../image-view.js';
import { dropZone, imageBytes, knownImage } from '../photos.js';
import { call, session } from '../session.js';
import { isMatch, MATCH_SIMILARITY } from '../similarity.js';

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
