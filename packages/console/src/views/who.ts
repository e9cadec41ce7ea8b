import { h, render } from '../dom.js';
import { callExtension } from '../extensions.js';
import { imageView, type Overlay } from '../image-view.js';
import { call } from '../session.js';
import { toBase64 } from './explain.js';

/** WhoIsInImage's answer, the members shown here (README, "People"). */
interface Candidate {
  UserId?: string;
  FaceId: string;
  ExternalImageId?: string;
  Similarity: number;
  FalseAcceptRate?: { Rate: number; Bound: 'INTERPOLATED' | 'AT_MOST' | 'AT_LEAST' };
}
interface IdentifiedFace extends Partial<Candidate> {
  FaceDetail: { BoundingBox?: { Left?: number; Top?: number; Width?: number; Height?: number } };
  Identity: 'USER' | 'FACE' | 'UNKNOWN' | 'UNSEARCHED';
  Candidates: Candidate[];
  Reasons?: string[];
}
interface WhoIsInImageOutput {
  Faces: IdentifiedFace[];
  FaceMatchThreshold: number;
}

const name = (c: Partial<Candidate>) =>
  c.UserId ?? (c.ExternalImageId ? `face ${c.ExternalImageId}` : `face ${c.FaceId}`);

export type RateEstimate = NonNullable<Candidate['FalseAcceptRate']>;

/** `0.32%`, or `≤0.1%` / `≥10%` outside the range the face model was measured in. */
export function formatRate(estimate: RateEstimate | undefined): string {
  if (!estimate) return '–';
  const value = `${Number((estimate.Rate * 100).toPrecision(2))}%`;
  return estimate.Bound === 'AT_MOST'
    ? `≤${value}`
    : estimate.Bound === 'AT_LEAST'
      ? `≥${value}`
      : value;
}

/**
 * "Who is in this photo" under a search: a button that asks FacekitService.WhoIsInImage about
 * every face of the photo (SearchFacesByImage searches the largest only) and shows each named,
 * with its Similarity and false accept rate, or unknown with the closest person.
 */
export function whoSection(collection: string, bytes: Uint8Array, url: string, alt: string) {
  const out = h('div', { 'data-testid': 'who-result' });
  const button = h('button', { type: 'button', class: 'quiet' }, 'Who is in this photo?');
  button.addEventListener('click', async () => {
    button.disabled = true;
    render(out, h('p', { class: 'hint' }, 'Naming every face…'));
    const output = await call(() =>
      callExtension<WhoIsInImageOutput>('WhoIsInImage', {
        CollectionId: collection,
        Image: { Bytes: toBase64(bytes) },
      }),
    );
    button.disabled = false;
    if (!output) return render(out);
    const named = (f: IdentifiedFace) => f.Identity === 'USER' || f.Identity === 'FACE';
    const overlays: Overlay[] = output.Faces.map((face) => ({
      box: face.FaceDetail.BoundingBox,
      tone: named(face) ? 'match' : 'unmatched',
      label: named(face) ? `${name(face)} ${face.Similarity?.toFixed(1)}%` : 'unknown',
    }));
    const count = output.Faces.filter(named).length;
    render(
      out,
      h(
        'p',
        { class: 'summary' },
        `${count} of ${output.Faces.length} faces named at ${output.FaceMatchThreshold}% or more (WhoIsInImage)`,
      ),
      h(
        'div',
        { class: 'split' },
        imageView(url, overlays, alt),
        h(
          'table',
          { class: 'matches' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['Who', 'Similarity', 'False accept rate', 'Closest other'].map((t) =>
                h('th', null, t),
              ),
            ),
          ),
          h(
            'tbody',
            null,
            output.Faces.map((face) => {
              const other = face.Candidates.find((c) => !named(face) || c.FaceId !== face.FaceId);
              return h(
                'tr',
                { 'data-testid': 'who-face' },
                h('td', null, named(face) ? name(face) : face.Identity.toLowerCase()),
                h('td', null, named(face) ? `${face.Similarity?.toFixed(1)}%` : '–'),
                h('td', null, named(face) ? formatRate(face.FalseAcceptRate) : '–'),
                h('td', null, other ? `${name(other)} ${other.Similarity.toFixed(1)}%` : '–'),
              );
            }),
          ),
        ),
      ),
    );
  });
  return h('div', { class: 'who' }, button, out);
}
