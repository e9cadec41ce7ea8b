import type { FaceDetail } from '@aws-sdk/client-rekognition';
import { h, percent } from '../dom.js';

/** DetectFaces' details, one row per face; `withAttributes` adds the `ALL` columns. */
export function faceTable(details: readonly FaceDetail[], withAttributes: boolean): HTMLElement {
  const emotion = (face: FaceDetail) => {
    const top = face.Emotions?.[0];
    return top ? `${top.Type?.toLowerCase()} ${percent(top.Confidence, 0)}` : '–';
  };
  const yesNo = (value: { Value?: boolean; Confidence?: number } | undefined) =>
    value ? `${value.Value ? 'yes' : 'no'} ${percent(value.Confidence, 0)}` : '–';
  return h(
    'table',
    { class: 'faces' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['#', 'Confidence', 'Roll / yaw / pitch', 'Brightness', 'Sharpness'].map((t) =>
          h('th', null, t),
        ),
        withAttributes &&
          ['Age', 'Gender', 'Emotion', 'Smile', 'Eyes open', 'Mouth open'].map((t) =>
            h('th', null, t),
          ),
      ),
    ),
    h(
      'tbody',
      null,
      details.map((face, i) =>
        h(
          'tr',
          null,
          h('td', null, `#${i + 1}`),
          h('td', null, percent(face.Confidence)),
          h(
            'td',
            null,
            [face.Pose?.Roll, face.Pose?.Yaw, face.Pose?.Pitch]
              .map((v) => (v === undefined ? '–' : Math.round(v)))
              .join(' / '),
          ),
          h('td', null, Math.round(face.Quality?.Brightness ?? 0)),
          h('td', null, Math.round(face.Quality?.Sharpness ?? 0)),
          withAttributes && [
            h('td', null, face.AgeRange ? `${face.AgeRange.Low}–${face.AgeRange.High}` : '–'),
            h(
              'td',
              null,
              face.Gender
                ? `${face.Gender.Value?.toLowerCase()} ${percent(face.Gender.Confidence, 0)}`
                : '–',
            ),
            h('td', null, emotion(face)),
            h('td', null, yesNo(face.Smile)),
            h('td', null, yesNo(face.EyesOpen)),
            h('td', null, yesNo(face.MouthOpen)),
          ],
        ),
      ),
    ),
  );
}
