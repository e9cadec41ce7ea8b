import type {
  FalseAcceptRateEstimate,
  IdentifiedFace,
  PersonCandidate,
  WhoIsInImageResponse,
} from '@facekit/core';
import { type Command, defined, numberFlag, stringFlag } from '../command.js';
import { drawFaces, type FaceMark, markColors } from '../draw.js';
import { imageReader, noResizeOption, s3ObjectOf } from '../image-bytes.js';
import { box, emit, percent, renderFields, renderTable } from '../output.js';
import { UsageError } from '../usage-error.js';
import { falseAcceptRateFlag, falseAcceptRateOption, qualityOption } from './images.js';

export const whoCommand: Command = {
  path: ['who'],
  summary:
    'name every face of an image: its user or face in a collection, or unknown (WhoIsInImage)',
  args: '<collection-id> <image>',
  positionals: { min: 2, max: 2 },
  options: {
    threshold: {
      type: 'string',
      value: '<0-100>',
      description: 'FaceMatchThreshold: lowest Similarity to name a face [80]',
    },
    ...falseAcceptRateOption,
    ...qualityOption,
    'max-faces': {
      type: 'string',
      value: '<n>',
      description: 'MaxFaces: identify the n largest faces [all, at most 100]',
    },
    'max-candidates': {
      type: 'string',
      value: '<n>',
      description: 'MaxCandidates: people listed per face, best first [3]',
    },
    draw: {
      type: 'string',
      value: '<out.jpg>',
      description: 'write a copy of the image with each face boxed and named',
    },
    ...noResizeOption,
  },
  notes: `Every face of the image is searched (SearchFacesByImage searches only the largest). A face
is named after the user whose face matches it best (or, for a face of no user, its
ExternalImageId) when the Similarity reaches the threshold, and "unknown" otherwise; each name
comes with the false accept rate the face model measured at that Similarity. A person is given
to one face of the photo at most (the one most similar). A facekit extension operation:
FacekitService.WhoIsInImage, signed like any AWS request with --endpoint.`,
  examples: [
    'facekit who family party.jpg',
    'facekit who family party.jpg --draw named.jpg',
    'facekit who family party.jpg --max-false-accept-rate 0.001 --output json',
  ],
  async run({ io, output, positionals, values, client }) {
    const [CollectionId, arg] = positionals;
    const object = s3ObjectOf(arg);
    const drawTo = stringFlag(values, 'draw');
    if (object && drawTo) throw new UsageError('--draw needs a local image, not an s3:// object');
    const file = object ? undefined : await imageReader(io, { resize: !values['no-resize'] })(arg);
    const response = await (await client()).callExtension(
      'WhoIsInImage',
      defined({
        CollectionId,
        Image: object ? { S3Object: object } : { Bytes: file?.bytes },
        FaceMatchThreshold: numberFlag(values, 'threshold'),
        MaxFaces: numberFlag(values, 'max-faces'),
        MaxCandidates: numberFlag(values, 'max-candidates'),
        QualityFilter: stringFlag(values, 'quality-filter') as never,
      }),
      falseAcceptRateFlag(values),
    );
    if (drawTo && file) await drawFaces(file.original, whoMarks(response), drawTo, io.cwd);
    emit(io, output, response, () => whoTable(response));
    return 0;
  },
};

/** A face's name for people: its user, the ExternalImageId of a face of no user, or unknown. */
export function personName(p: Pick<PersonCandidate, 'UserId' | 'FaceId' | 'ExternalImageId'>) {
  return p.UserId ?? (p.ExternalImageId ? `face ${p.ExternalImageId}` : `face ${p.FaceId}`);
}

/** `0.32%`, or `≤0.1%` / `≥10%` outside the measured range. */
export function formatRate(rate: FalseAcceptRateEstimate | undefined): string | undefined {
  if (!rate) return undefined;
  const value = `${Number((rate.Rate * 100).toPrecision(2))}%`;
  return rate.Bound === 'AT_MOST' ? `≤${value}` : rate.Bound === 'AT_LEAST' ? `≥${value}` : value;
}

function label(face: IdentifiedFace): string {
  if (face.Identity === 'UNSEARCHED') return (face.Reasons ?? []).join(' ');
  if (face.Identity === 'UNKNOWN') return 'unknown';
  return `${personName(face as PersonCandidate)} ${percent(face.Similarity)}`;
}

export function whoMarks(response: WhoIsInImageResponse): FaceMark[] {
  return response.Faces.map((face) => ({
    box: face.FaceDetail.BoundingBox ?? {},
    label: label(face),
    color:
      face.Identity === 'UNSEARCHED'
        ? markColors.unindexed
        : face.Identity === 'UNKNOWN'
          ? markColors.noMatch
          : markColors.match,
  }));
}

function whoTable(response: WhoIsInImageResponse): string {
  const head = renderFields([
    ['Faces', response.Faces.length],
    ['Threshold', percent(response.FaceMatchThreshold)],
  ]);
  if (response.Faces.length === 0) return `${head}No faces in the image\n`;
  const rows = response.Faces.map((face, i) => {
    const named = face.Identity === 'USER' || face.Identity === 'FACE';
    const next = face.Candidates.find((c) => !named || c.FaceId !== face.FaceId);
    return [
      i + 1,
      named ? personName(face as PersonCandidate) : face.Identity.toLowerCase(),
      named ? percent(face.Similarity) : undefined,
      named ? formatRate(face.FalseAcceptRate) : undefined,
      next ? `${personName(next)} ${percent(next.Similarity)}` : undefined,
      box(face.FaceDetail.BoundingBox),
    ];
  });
  return (
    head +
    renderTable(
      ['#', 'Who', 'Similarity', 'FAR', 'Closest other', 'BoundingBox (left,top w×h)'],
      rows,
    )
  );
}
