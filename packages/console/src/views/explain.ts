import { h, render } from '../dom.js';
import { callExtension } from '../extensions.js';
import { call } from '../session.js';
import { formatRate, type RateEstimate } from './who.js';

/** ExplainMatch's answer, the members shown here (README, "People"). */
interface ExplainedFace {
  MeasuredFrom: string;
  HeightPixels?: number;
  Pose?: { Yaw?: number; Pitch?: number };
  Sharpness?: number;
  Brightness?: number;
  QualityScore?: number;
  Issues: string[];
}
interface ExplainMatchOutput {
  Similarity: number;
  FalseAcceptRate?: RateEstimate;
  Matched: boolean;
  Faces: [ExplainedFace, ExplainedFace];
  WeakerFace: 'FACE' | 'TARGET' | 'NEITHER' | 'UNKNOWN';
  NextBest?: { UserId?: string; ExternalImageId?: string; FaceId: string; Similarity: number };
  Margin?: number;
}

/** What each of the pair is called on screen: the collection's face, then the photo's. */
export type PairNames = readonly [face: string, target: string];

/**
 * An "Explain" button for a match of a search: FacekitService.ExplainMatch between the matched
 * face and the photo searched, shown in `out` (Similarity, false accept rate, both faces'
 * quality and which limits the match, the margin to the next-best person).
 */
export function explainButton(
  collection: string,
  faceId: string,
  bytes: Uint8Array,
  out: HTMLElement,
): HTMLElement {
  const button = h('button', { type: 'button', class: 'quiet' }, 'Explain');
  button.addEventListener('click', () =>
    explainInto(out, button, collection, faceId, bytes, ['indexed', 'searched']),
  );
  return button;
}

/** Calls ExplainMatch for a face of `collection` and the largest face of `bytes`; shows it. */
export async function explainInto(
  out: HTMLElement,
  button: HTMLButtonElement,
  collection: string,
  faceId: string,
  bytes: Uint8Array,
  names: PairNames,
): Promise<void> {
  const output = await call(
    () =>
      callExtension<ExplainMatchOutput>('ExplainMatch', {
        CollectionId: collection,
        FaceId: faceId,
        TargetImage: { Bytes: toBase64(bytes) },
      }),
    button,
  );
  if (!output) return;
  const weaker = {
    FACE: `the ${names[0]} face`,
    TARGET: `the ${names[1]} face`,
    NEITHER: 'neither: both are good pictures of a face',
    UNKNOWN: 'unknown (the indexed photo was not kept)',
  };
  const [face, target] = output.Faces;
  const cells = (f: ExplainedFace) => [
    f.HeightPixels === undefined ? '–' : `${f.HeightPixels} px`,
    f.Pose ? `${f.Pose.Yaw?.toFixed(0)}°/${f.Pose.Pitch?.toFixed(0)}°` : '–',
    f.Sharpness?.toFixed(0) ?? '–',
    f.Brightness?.toFixed(0) ?? '–',
    f.QualityScore?.toFixed(2) ?? '–',
    f.Issues.join(', ').toLowerCase() || (f.QualityScore === undefined ? '–' : 'none'),
  ];
  const next = output.NextBest;
  render(
    out,
    h(
      'p',
      { class: 'summary' },
      `${faceId.slice(0, 8)}: ${output.Similarity.toFixed(1)}% (${output.Matched ? 'a match' : 'no match'}), false accept rate ${formatRate(output.FalseAcceptRate)}; weaker face: ${weaker[output.WeakerFace]}`,
      next &&
        `; next-best person ${next.UserId ?? next.ExternalImageId ?? next.FaceId} ${next.Similarity.toFixed(1)}%, margin ${output.Margin?.toFixed(1)}`,
    ),
    h(
      'table',
      { class: 'matches' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['', 'Height', 'Yaw/pitch', 'Sharpness', 'Brightness', 'Quality', 'Weakened by'].map(
            (t) => h('th', null, t),
          ),
        ),
      ),
      h(
        'tbody',
        null,
        [face, target].map((f, i) =>
          h(
            'tr',
            null,
            h('td', null, names[i]),
            cells(f).map((c) => h('td', null, c)),
          ),
        ),
      ),
    ),
  );
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
