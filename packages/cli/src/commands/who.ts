import { mkdir, stat } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type {
  FalseAcceptRateEstimate,
  IdentifiedFace,
  PersonCandidate,
  WhoIsInImageResponse,
} from '@facekit/core';
import { ApiError } from '../client/api-client.js';
import { type Command, type CommandContext, defined, numberFlag, stringFlag } from '../command.js';
import { drawFaces, type FaceMark, markColors } from '../draw.js';
import { imageReader, noResizeOption, s3ObjectOf } from '../image-bytes.js';
import { collectImages, ImageFileError } from '../images.js';
import { box, emit, percent, renderFields, renderTable } from '../output.js';
import { Progress } from '../progress.js';
import { UsageError } from '../usage-error.js';
import { falseAcceptRateFlag, falseAcceptRateOption, qualityOption } from './images.js';

export const whoCommand: Command = {
  path: ['who'],
  summary:
    'name every face of an image: its user or face in a collection, or unknown (WhoIsInImage)',
  args: '<collection-id> <image or folder>',
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
      description:
        'write a copy of the image with each face boxed and named (for a folder: a folder of copies)',
    },
    ...noResizeOption,
  },
  notes: `Every face of the image is searched (SearchFacesByImage searches only the largest). A face
is named after the user whose face matches it best (or, for a face of no user, its
ExternalImageId) when the Similarity reaches the threshold, and "unknown" otherwise; each name
comes with the false accept rate the face model measured at that Similarity. A person is given
to one face of the photo at most (the one most similar). A facekit extension operation:
FacekitService.WhoIsInImage, signed like any AWS request with --endpoint.
A folder is searched photo by photo (every .jpg, .jpeg and .png in it, subfolders too): one line
per photo names its people; with --output json, { Images: [{ Path, Faces, ... } or { Path, Error }] }.
A photo that fails (unreadable, not an image) is listed with its error and the exit code is 1.`,
  examples: [
    'facekit who family party.jpg',
    'facekit who family party.jpg --draw named.jpg',
    'facekit who family photos/ --draw named/   # one line per photo, named copies in named/',
    'facekit who family party.jpg --max-false-accept-rate 0.001 --output json',
  ],
  async run(context) {
    const { io, output, positionals, values, client } = context;
    const [CollectionId, arg] = positionals;
    const object = s3ObjectOf(arg);
    if (!object && (await isFolder(resolve(io.cwd, arg)))) return whoInFolder(context);
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

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    // Not there: the image reader says so, naming the file.
    return false;
  }
}

/** Errors that every other photo would meet too: stop instead of failing each the same way. */
const fatalErrors = new Set(['ResourceNotFoundException', 'AccessDeniedException']);

/** One photo of a folder: WhoIsInImage's answer, or why there is none. */
type PhotoAnswer = { Path: string } & (WhoIsInImageResponse | { Error: string });

/**
 * `facekit who <collection> <folder>`: WhoIsInImage for every image of the folder, one after the
 * other, with a progress line; a summary per image (who, or the error), and with `--draw <dir>`
 * a named copy of each under the same relative path.
 */
async function whoInFolder({ io, output, positionals, values, client }: CommandContext) {
  const [CollectionId, folder] = positionals;
  const drawTo = stringFlag(values, 'draw');
  const images = await collectImages([folder], io.cwd);
  if (images.length === 0) throw new UsageError(`no .jpg, .jpeg or .png files in ${folder}`);
  const api = await client();
  const read = imageReader(io, { resize: !values['no-resize'] });
  const progress = new Progress(io.stderr, images.length, Boolean(values.quiet));
  const answers: PhotoAnswer[] = [];
  for (const image of images) {
    try {
      const file = await read(image.path);
      const response = await api.callExtension(
        'WhoIsInImage',
        defined({
          CollectionId,
          Image: { Bytes: file.bytes },
          FaceMatchThreshold: numberFlag(values, 'threshold'),
          MaxFaces: numberFlag(values, 'max-faces'),
          MaxCandidates: numberFlag(values, 'max-candidates'),
          QualityFilter: stringFlag(values, 'quality-filter') as never,
        }),
        falseAcceptRateFlag(values),
      );
      if (drawTo) {
        const out = resolve(
          io.cwd,
          drawTo,
          relative(resolve(io.cwd, folder), resolve(io.cwd, image.path)),
        );
        await mkdir(dirname(out), { recursive: true });
        await drawFaces(file.original, whoMarks(response), out, io.cwd);
      }
      answers.push({ Path: image.path, ...response });
      progress.tick(`${image.path}: ${whoSummary(response)}`);
    } catch (error) {
      if (!(error instanceof ApiError || error instanceof ImageFileError)) throw error;
      if (error instanceof ApiError && fatalErrors.has(error.name)) throw error;
      const text =
        error instanceof ApiError ? `${error.name}: ${error.message}` : (error as Error).message;
      answers.push({ Path: image.path, Error: text });
      progress.tick(`${image.path}: failed`);
    }
  }
  progress.finish();
  if (output === 'jsonl') {
    for (const answer of answers) io.stdout.write(`${JSON.stringify(answer)}\n`);
  } else {
    emit(io, output, { Images: answers }, () =>
      renderTable(
        ['Image', 'Faces', 'Who'],
        answers.map((a) =>
          'Error' in a
            ? [a.Path, '-', `failed: ${a.Error}`]
            : [a.Path, a.Faces.length, whoSummary(a)],
        ),
      ),
    );
  }
  return answers.some((a) => 'Error' in a) ? 1 : 0;
}

/** `obama 99.2%, biden 99.9%, unknown`: the faces of one photo, largest first. */
function whoSummary(response: WhoIsInImageResponse): string {
  if (response.Faces.length === 0) return 'no face';
  return response.Faces.map((face) =>
    face.Identity === 'USER' || face.Identity === 'FACE'
      ? `${personName(face as PersonCandidate)} ${percent(face.Similarity)}`
      : face.Identity.toLowerCase(),
  ).join(', ');
}

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
