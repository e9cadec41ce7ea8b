import { SearchFacesByImageCommand } from '@aws-sdk/client-rekognition';
import { h, percent, render } from '../dom.js';
import { faceRow } from '../face-row.js';
import { imageView } from '../image-view.js';
import { dropZone, imageBytes, knownImage, plural } from '../photos.js';
import { call, session } from '../session.js';
import { belowThresholdHint, isMatch, MATCH_SIMILARITY, similarityCell } from '../similarity.js';
import { explainButton } from './explain.js';
import { whoSection } from './who.js';

/** SearchFacesByImage takes at most 4096 faces (`MaxFaces`). */
const MAX_FACES_LIMIT = 4096;

/**
 * Search: SearchFacesByImage with the largest face of one photo. Results at or above the
 * calibrated {@link MATCH_SIMILARITY} are matches; a lower threshold lists more candidates,
 * muted. When the list fills `MaxFaces`, it says so and offers the next, larger page.
 */
export function renderSearch(panel: HTMLElement, collection: string) {
  const threshold = h('input', {
    id: 'search-threshold',
    type: 'number',
    min: 0,
    max: 100,
    value: MATCH_SIMILARITY,
    class: 'narrow',
  });
  const maxFaces = h('input', {
    id: 'search-max-faces',
    type: 'number',
    min: 1,
    max: MAX_FACES_LIMIT,
    value: 20,
    class: 'narrow',
  });
  const result = h('div', { class: 'result', 'data-testid': 'search-result' });
  const search = async (file: File, bytes: Uint8Array, url: string, limit: number) => {
    const explained = h('div', { 'data-testid': 'explain-result' });
    const minimum = Number(threshold.value);
    const output = await call(() =>
      session.client.send(
        new SearchFacesByImageCommand({
          CollectionId: collection,
          Image: { Bytes: bytes },
          FaceMatchThreshold: minimum,
          MaxFaces: limit,
        }),
      ),
    );
    if (!output) return render(result);
    const found = output.FaceMatches ?? [];
    const matches = found.filter((match) => isMatch(match.Similarity)).length;
    const full = found.length >= limit;
    const more = h('button', { type: 'button', class: 'quiet' }, 'Show more');
    more.addEventListener('click', () => {
      more.disabled = true;
      void search(file, bytes, url, Math.min(MAX_FACES_LIMIT, limit * 5));
    });
    render(
      result,
      h(
        'p',
        { class: 'summary' },
        `${file.name}: the largest face (confidence ${percent(output.SearchedFaceConfidence)}) matches ${plural(matches, 'face')}`,
        minimum < MATCH_SIMILARITY && `; ${found.length} scored ${minimum}% or more`,
      ),
      h(
        'div',
        { class: 'split' },
        imageView(
          url,
          [{ box: output.SearchedFaceBoundingBox, tone: 'searched', label: 'searched' }],
          file.name,
        ),
        h(
          'div',
          null,
          found.length === 0
            ? h('p', { class: 'hint' }, `No face at ${minimum}% similarity or more.`)
            : h(
                'table',
                { class: 'matches' },
                h(
                  'thead',
                  null,
                  h(
                    'tr',
                    null,
                    ['Similarity', 'Face', 'ExternalImageId', 'FaceId', 'UserId', ''].map((t) =>
                      h('th', null, t),
                    ),
                  ),
                ),
                h(
                  'tbody',
                  null,
                  found.map((match) => {
                    const row = faceRow(match.Face, similarityCell(match.Similarity));
                    const id = match.Face?.FaceId;
                    if (id)
                      row.append(h('td', null, explainButton(collection, id, bytes, explained)));
                    return row;
                  }),
                ),
              ),
          belowThresholdHint(found.length - matches),
          full &&
            h(
              'p',
              { class: 'page-end', 'data-testid': 'search-page-end' },
              `The first ${limit} results (MaxFaces): more faces may score ${minimum}% or more. `,
              limit < MAX_FACES_LIMIT ? more : `${MAX_FACES_LIMIT} is the most one search returns.`,
            ),
        ),
      ),
      explained,
      whoSection(collection, bytes, url, file.name),
    );
  };
  const run = async (files: File[]) => {
    const file = files[0];
    render(
      result,
      h('p', { class: 'hint' }, `Searching ${collection} for the face in ${file.name}…`),
    );
    const [bytes, image] = await Promise.all([imageBytes(file), knownImage(file)]);
    const limit = Math.min(MAX_FACES_LIMIT, Math.max(1, Math.round(Number(maxFaces.value)) || 20));
    await search(file, bytes, image.url, limit);
  };
  render(
    panel,
    h(
      'p',
      { class: 'intro' },
      `SearchFacesByImage in ${collection}: the largest face of a photo against every indexed face.`,
    ),
    dropZone('search-file', 'Drop a photo here, or click to choose one', false, run),
    h(
      'div',
      { class: 'row' },
      h('label', { class: 'check' }, 'Similarity threshold ', threshold, ' %'),
      h('label', { class: 'check' }, 'Max faces ', maxFaces),
    ),
    result,
  );
}
