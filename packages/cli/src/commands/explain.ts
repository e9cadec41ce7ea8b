import type { ExplainedFace, ExplainMatchResponse } from '@facekit/core';
import { type Command, defined, numberFlag } from '../command.js';
import { imageReader, noResizeOption, s3ObjectOf } from '../image-bytes.js';
import { emit, percent, renderFields, renderTable } from '../output.js';
import { falseAcceptRateFlag, falseAcceptRateOption } from './images.js';
import { formatRate, personName } from './who.js';

const FACE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const explainCommand: Command = {
  path: ['explain'],
  summary:
    'explain a match: Similarity, false accept rate, quality of both faces, margin (ExplainMatch)',
  args: '<collection-id> <face-id> <face-id|image>',
  positionals: { min: 3, max: 3 },
  options: {
    threshold: {
      type: 'string',
      value: '<0-100>',
      description: 'FaceMatchThreshold that "matched" is judged at [80]',
    },
    ...falseAcceptRateOption,
    ...noResizeOption,
  },
  notes: `Compares a face of the collection with another face of it, or with the largest face of an
image, and says why they match or not: their Similarity and the false accept rate the face model
measured there; each face's size, pose, sharpness, brightness and occlusion, scored 0..1 (the
weakest property), and which face limits the match; and the margin to the best other person of
the collection for the second face (negative: it looks more like someone else). Stored faces are
measured on their kept source image (serve --keep-source-images); without it only their box and
confidence are known. A facekit extension operation: FacekitService.ExplainMatch.`,
  examples: [
    'facekit explain family 0b6a0e2c-5f6b-4c5e-9d1c-2a4b6c8d0e1f party.jpg',
    'facekit explain family 0b6a0e2c-5f6b-4c5e-9d1c-2a4b6c8d0e1f 9d2fe952-6a2e-42d7-ba75-1ed116e94636',
  ],
  async run({ io, output, positionals, values, client }) {
    const [CollectionId, FaceId, other] = positionals;
    let target:
      | { TargetFaceId: string }
      | { TargetImage: { Bytes?: Uint8Array; S3Object?: object } };
    if (FACE_ID.test(other)) target = { TargetFaceId: other };
    else {
      const object = s3ObjectOf(other);
      target = object
        ? { TargetImage: { S3Object: object } }
        : {
            TargetImage: {
              Bytes: (await imageReader(io, { resize: !values['no-resize'] })(other)).bytes,
            },
          };
    }
    const response = await (await client()).callExtension(
      'ExplainMatch',
      defined({
        CollectionId,
        FaceId,
        ...target,
        FaceMatchThreshold: numberFlag(values, 'threshold'),
      }) as never,
      falseAcceptRateFlag(values),
    );
    emit(io, output, response, () => explainTable(response, other));
    return 0;
  },
};

function explainTable(r: ExplainMatchResponse, otherArg: string): string {
  const [face, target] = r.Faces;
  const head = renderFields([
    [
      'Similarity',
      `${percent(r.Similarity)} (${r.Matched ? 'a match' : 'no match'} at ${percent(r.FaceMatchThreshold)})`,
    ],
    ['False accept rate', formatRate(r.FalseAcceptRate) ?? 'not measured for this face model'],
    [
      'Next best person',
      r.NextBest
        ? `${personName(r.NextBest)} ${percent(r.NextBest.Similarity)}, margin ${r.Margin?.toFixed(1)}`
        : 'none (no other face in the collection)',
    ],
    ['Weaker face', weakerText(r)],
  ]);
  const column = (f: ExplainedFace) => [
    f.FaceId ?? otherArg,
    f.UserId ?? f.ExternalImageId,
    f.MeasuredFrom.toLowerCase().replace('_', ' '),
    f.HeightPixels === undefined ? undefined : `${f.HeightPixels} px`,
    f.Pose ? `${f.Pose.Yaw?.toFixed(0)}°/${f.Pose.Pitch?.toFixed(0)}°` : undefined,
    f.Sharpness?.toFixed(0),
    f.Brightness?.toFixed(0),
    f.Occluded === undefined ? undefined : f.Occluded ? 'yes' : 'no',
    f.QualityScore?.toFixed(2),
    f.Issues.join(' ').toLowerCase() || (f.QualityScore === undefined ? undefined : 'none'),
  ];
  const labels = [
    'Face',
    'User / image',
    'Measured from',
    'Height',
    'Yaw/pitch',
    'Sharpness',
    'Brightness',
    'Occluded',
    'Quality (0..1)',
    'Weakened by',
  ];
  const a = column(face);
  const b = column(target);
  return `${head}\n${renderTable(
    ['', 'face', 'target'],
    labels.map((l, i) => [l, a[i], b[i]]),
  )}`;
}

function weakerText(r: ExplainMatchResponse): string {
  switch (r.WeakerFace) {
    case 'NEITHER':
      return 'neither (both are good pictures of a face)';
    case 'UNKNOWN':
      return 'unknown (a stored face whose source image was not kept)';
    case 'FACE':
      return `the face (${r.Faces[0].Issues.join(', ').toLowerCase() || 'lower quality'})`;
    case 'TARGET':
      return `the target (${r.Faces[1].Issues.join(', ').toLowerCase() || 'lower quality'})`;
  }
}
