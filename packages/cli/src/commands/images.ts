import type { FaceDetail, RequestOptions } from '@facekit/core';
import {
  type Command,
  defined,
  listFlag,
  numberFlag,
  type OptionValues,
  stringFlag,
} from '../command.js';
import { drawFaces, type FaceMark, markColors } from '../draw.js';
import { imageReader, noResizeOption, s3ObjectOf } from '../image-bytes.js';
import { box, emit, percent, renderFields, renderTable } from '../output.js';
import { UsageError } from '../usage-error.js';

const drawOption = {
  draw: {
    type: 'string',
    value: '<out.jpg>',
    description: 'write a copy of the image with boxes, landmarks and labels (.png or JPEG)',
  },
} as const;

export const qualityOption = {
  'quality-filter': {
    type: 'string',
    value: '<level>',
    description: 'QualityFilter: NONE, AUTO, LOW, MEDIUM or HIGH',
  },
} as const;

const pose = (d: FaceDetail) =>
  d.Pose
    ? `${d.Pose.Roll?.toFixed(0)}/${d.Pose.Yaw?.toFixed(0)}/${d.Pose.Pitch?.toFixed(0)}`
    : undefined;

export const falseAcceptRateOption = {
  'max-false-accept-rate': {
    type: 'string',
    value: '<rate>',
    description:
      "match at the threshold where the collection's face model measured this false accept rate (0.001 = 0.1%), instead of --threshold",
  },
} as const;

/** `--max-false-accept-rate` as request options: a fraction strictly between 0 and 1. */
export function falseAcceptRateFlag(values: OptionValues): RequestOptions | undefined {
  const raw = values['max-false-accept-rate'];
  if (raw === undefined) return undefined;
  const rate = Number(raw);
  if (typeof raw !== 'string' || !/^(\d*\.)?\d+(e-?\d+)?$/i.test(raw) || !(rate > 0 && rate < 1)) {
    throw new UsageError(
      `invalid --max-false-accept-rate '${String(raw)}': expected a fraction between 0 and 1, e.g. 0.001`,
    );
  }
  if (values.threshold !== undefined) {
    throw new UsageError('give either --threshold or --max-false-accept-rate, not both');
  }
  return { maxFalseAcceptRate: rate };
}

export const imageCommands: Command[] = [
  {
    path: ['detect'],
    summary: 'find the faces of an image (DetectFaces)',
    args: '<image>',
    positionals: { min: 1, max: 1 },
    options: {
      attributes: {
        type: 'string',
        multiple: true,
        value: '<name>',
        description: 'DEFAULT or ALL (all landmarks), as the API takes them',
      },
      ...drawOption,
      ...noResizeOption,
    },
    examples: [
      'facekit detect party.jpg',
      'facekit detect s3://photos/party.jpg   # read by the service (serve --s3-*, FACEKIT_S3_*)',
      'facekit detect party.jpg --attributes ALL --output json',
      'facekit detect party.jpg --draw party-faces.jpg',
    ],
    async run({ io, output, positionals, values, client }) {
      const object = s3ObjectOf(positionals[0]);
      const drawTo = stringFlag(values, 'draw');
      if (object && drawTo) throw new UsageError('--draw needs a local file, not an s3:// object');
      const image = object
        ? undefined
        : await imageReader(io, { resize: !values['no-resize'] })(positionals[0]);
      const response = await (await client()).call(
        'DetectFaces',
        defined({
          Image: image ? { Bytes: image.bytes } : { S3Object: object },
          Attributes: listFlag(values, 'attributes') as never,
        }),
      );
      const faces = response.FaceDetails ?? [];
      if (drawTo && image) {
        // On the file itself: boxes and landmarks are ratios, unchanged by a shrunk copy.
        await drawFaces(
          image.original,
          faces.map((f, i) => ({
            box: f.BoundingBox ?? {},
            landmarks: f.Landmarks,
            label: `#${i + 1} ${percent(f.Confidence)}`,
          })),
          drawTo,
          io.cwd,
        );
      }
      // Age, gender and the top emotion when the service returned them (--attributes ALL).
      const attributes = faces.some((f) => f.AgeRange || f.Gender || f.Emotions?.length);
      const attributeColumns = (f: FaceDetail) =>
        attributes
          ? [
              f.AgeRange ? `${f.AgeRange.Low}-${f.AgeRange.High}` : undefined,
              f.Gender?.Value,
              [...(f.Emotions ?? [])].sort((a, b) => (b.Confidence ?? 0) - (a.Confidence ?? 0))[0]
                ?.Type,
            ]
          : [];
      emit(io, output, response, () =>
        faces.length === 0
          ? 'No faces\n'
          : renderTable(
              [
                '#',
                'Confidence',
                'BoundingBox (left,top w×h)',
                'Roll/Yaw/Pitch',
                'Brightness',
                'Sharpness',
                ...(attributes ? ['Age', 'Gender', 'Emotion'] : []),
              ],
              faces.map((f, i) => [
                i + 1,
                percent(f.Confidence),
                box(f.BoundingBox),
                pose(f),
                f.Quality?.Brightness?.toFixed(0),
                f.Quality?.Sharpness?.toFixed(0),
                ...attributeColumns(f),
              ]),
            ) +
            `${faces.length} face${faces.length === 1 ? '' : 's'}${drawTo ? `, drawn to ${drawTo}` : ''}\n`,
      );
      return 0;
    },
  },
  {
    path: ['search-face'],
    summary: 'search a collection for faces like one of its faces (SearchFaces)',
    args: '<collection-id> <face-id>',
    positionals: { min: 2, max: 2 },
    options: {
      threshold: {
        type: 'string',
        value: '<0-100>',
        description: 'FaceMatchThreshold: minimum similarity [80]',
      },
      'max-faces': { type: 'string', value: '<n>', description: 'MaxFaces: at most n matches' },
      ...falseAcceptRateOption,
    },
    examples: ['facekit search-face family 0b6a0e2c-5f6b-4c5e-9d1c-2a4b6c8d0e1f --threshold 70'],
    async run({ io, output, positionals, values, client }) {
      const [CollectionId, FaceId] = positionals;
      const response = await (await client()).call(
        'SearchFaces',
        defined({
          CollectionId,
          FaceId,
          FaceMatchThreshold: numberFlag(values, 'threshold'),
          MaxFaces: numberFlag(values, 'max-faces'),
        }),
        falseAcceptRateFlag(values),
      );
      emit(io, output, response, () => {
        const matches = response.FaceMatches ?? [];
        if (matches.length === 0) return 'No matches\n';
        return renderTable(
          ['Similarity', 'FaceId', 'ExternalImageId', 'UserId'],
          matches.map((m) => [
            percent(m.Similarity),
            m.Face?.FaceId,
            m.Face?.ExternalImageId,
            m.Face?.UserId,
          ]),
        );
      });
      return 0;
    },
  },
  {
    path: ['compare'],
    summary: 'compare the largest face of one image with every face of another (CompareFaces)',
    args: '<source-image> <target-image>',
    positionals: { min: 2, max: 2 },
    options: {
      threshold: {
        type: 'string',
        value: '<0-100>',
        description: 'SimilarityThreshold: minimum similarity of a match [80]',
      },
      ...falseAcceptRateOption,
      ...qualityOption,
      draw: {
        type: 'string',
        value: '<out.jpg>',
        description: 'write a copy of the target image with matches and unmatched faces',
      },
      ...noResizeOption,
    },
    examples: [
      'facekit compare id-photo.jpg party.jpg',
      'facekit compare a.jpg b.jpg --output json',
      'facekit compare id-photo.jpg s3://photos/party.jpg',
    ],
    async run({ io, output, positionals, values, client }) {
      const read = imageReader(io, { resize: !values['no-resize'] });
      // s3://bucket/key: read by the service; anything else: a local file sent as bytes.
      const send = async (arg: string) => {
        const object = s3ObjectOf(arg);
        if (object) return { image: { S3Object: object } };
        const file = await read(arg);
        return { image: { Bytes: file.bytes }, original: file.original };
      };
      const source = await send(positionals[0]);
      const target = await send(positionals[1]);
      if (!target.original && values.draw)
        throw new UsageError('--draw needs a local target file, not an s3:// object');
      const response = await (await client()).call(
        'CompareFaces',
        defined({
          SourceImage: source.image,
          TargetImage: target.image,
          SimilarityThreshold: numberFlag(values, 'threshold'),
          QualityFilter: stringFlag(values, 'quality-filter') as never,
        }),
        falseAcceptRateFlag(values),
      );
      const matches = response.FaceMatches ?? [];
      const unmatched = response.UnmatchedFaces ?? [];
      const drawTo = stringFlag(values, 'draw');
      if (drawTo && target.original) {
        const marks: FaceMark[] = [
          ...matches.map((m) => ({
            box: m.Face?.BoundingBox ?? {},
            landmarks: m.Face?.Landmarks,
            label: `match ${percent(m.Similarity)}`,
            color: markColors.match,
          })),
          ...unmatched.map((f) => ({
            box: f.BoundingBox ?? {},
            landmarks: f.Landmarks,
            color: markColors.noMatch,
          })),
        ];
        await drawFaces(target.original, marks, drawTo, io.cwd);
      }
      emit(io, output, response, () => {
        const rows = [
          ...matches.map((m) => ['match', percent(m.Similarity), box(m.Face?.BoundingBox)]),
          ...unmatched.map((f) => ['no match', '', box(f.BoundingBox)]),
        ];
        const head = renderFields([['Source face', box(response.SourceImageFace?.BoundingBox)]]);
        return rows.length === 0
          ? `${head}No faces in the target image\n`
          : head + renderTable(['Target face', 'Similarity', 'BoundingBox (left,top w×h)'], rows);
      });
      return 0;
    },
  },
];
