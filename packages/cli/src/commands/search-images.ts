import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SearchFacesByImageResponse } from '@facekit/core';
import { type ApiClient, ApiError } from '../client/api-client.js';
import { type Command, defined, numberFlag, type OptionValues, stringFlag } from '../command.js';
import { drawFaces, markColors } from '../draw.js';
import { type ImageToSend, imageReader, noResizeOption } from '../image-bytes.js';
import { collectImages, ImageFileError } from '../images.js';
import { box, csvLine, emit, percent, renderFields, renderTable } from '../output.js';
import { Progress } from '../progress.js';
import { falseAcceptRateFlag, falseAcceptRateOption, qualityOption } from './images.js';

/** Errors no other photo would escape: stop instead of failing every file the same way. */
const fatalErrors = new Set(['ResourceNotFoundException', 'AccessDeniedException']);

const LARGEST_ONLY =
  'SearchFacesByImage searches the largest face only; facekit who names every face of a photo';

/** One photo's line of a batch search. */
export interface SearchResult {
  File: string;
  /** Faces DetectFaces finds in the photo; only the largest is searched. */
  FaceCount?: number;
  SearchedFaceBoundingBox?: SearchFacesByImageResponse['SearchedFaceBoundingBox'];
  SearchedFaceConfidence?: number;
  FaceMatches?: SearchFacesByImageResponse['FaceMatches'];
  FaceModelVersion?: string;
  /** Why this photo was not searched, e.g. `InvalidImageFormatException: ...`. */
  Error?: string;
}

export const searchCommand: Command = {
  path: ['search'],
  summary: 'search a collection with the largest face of each image (SearchFacesByImage per image)',
  args: '<collection-id> <file-or-folder>...',
  positionals: { min: 2 },
  extraOutputFormats: ['csv'],
  options: {
    threshold: {
      type: 'string',
      value: '<0-100>',
      description: 'FaceMatchThreshold: minimum similarity [80]',
    },
    'max-faces': { type: 'string', value: '<n>', description: 'MaxFaces: at most n matches' },
    ...falseAcceptRateOption,
    ...qualityOption,
    draw: {
      type: 'string',
      value: '<out.jpg|dir>',
      description:
        'write a copy of the image with the searched face and its best match (a folder for many images)',
    },
    ...noResizeOption,
    quiet: { type: 'boolean', short: 'q', description: 'no progress, only the results' },
  },
  notes: `SearchFacesByImage searches the largest face only; facekit who names every face of a
photo. The face count of each photo comes from DetectFaces (one more
call per photo). Folders are walked as by index (.jpg, .jpeg, .png, recursively, sorted); the
face models load once for all of them.

Output: one line per image: --output table (a terminal), jsonl or csv (file, faces, searched
box, best match, similarity...); --output json prints the SearchFacesByImage response for a
single image file, an array of results for more. A file that fails is reported on its line and
the exit code is 1.`,
  examples: [
    'facekit search family party.jpg',
    'facekit search family party.jpg --threshold 90 --output json',
    'facekit search family party.jpg --draw match.jpg',
    'facekit search family ~/Pictures/2024/ --output csv > matches.csv',
    'facekit search family a.jpg b.jpg --max-false-accept-rate 0.001 --output jsonl',
  ],
  async run({ io, output, positionals, values, client }) {
    const [CollectionId, ...paths] = positionals;
    const images = await collectImages(paths, io.cwd);
    if (images.length === 0) throw new Error(`no .jpg, .jpeg or .png files in ${paths.join(' ')}`);
    const single = paths.length === 1 && images.length === 1 && images[0].path === paths[0];
    const read = imageReader(io, { resize: !values['no-resize'] });
    const api = await client();
    const drawTo = stringFlag(values, 'draw');
    if (drawTo && !single) await mkdir(resolve(io.cwd, drawTo), { recursive: true });
    const rate = falseAcceptRateFlag(values);

    if (single && (output === 'table' || output === 'json')) {
      // The response as the API gives it (errors too); the table adds the photo's face count.
      const image = await read(images[0].path);
      const result = await searchOne(api, CollectionId, image, values, rate, {
        count: output === 'table',
        skipFaceless: false,
      });
      if (drawTo) await drawResult(image, result, drawTo, io.cwd);
      emit(io, output, result.response, () => singleTable(result, drawTo));
      return 0;
    }

    const progress = new Progress(
      io.stderr,
      images.length,
      Boolean(values.quiet) || !io.stderr.isTTY,
    );
    const results: SearchResult[] = [];
    if (output === 'csv') io.stdout.write(csvHeader);
    let failed = 0;
    for (const image of images) {
      let result: SearchResult;
      try {
        const bytes = await read(image.path);
        const searched = await searchOne(api, CollectionId, bytes, values, rate, {
          count: true,
          skipFaceless: true,
        });
        result = { File: image.path, FaceCount: searched.faceCount, ...searched.response };
        if (drawTo) {
          const name = `${image.externalImageId.replace(/:/g, '_').replace(/\.(jpe?g|png)$/i, '')}.jpg`;
          await drawResult(bytes, searched, join(drawTo, name), io.cwd);
        }
      } catch (error) {
        if (error instanceof ApiError && fatalErrors.has(error.name)) throw error;
        if (!(error instanceof ApiError || error instanceof ImageFileError)) throw error;
        failed++;
        result = {
          File: image.path,
          Error: error instanceof ApiError ? `${error.name}: ${error.message}` : error.message,
        };
      }
      results.push(result);
      if (output === 'jsonl') io.stdout.write(`${JSON.stringify(result)}\n`);
      else if (output === 'csv') io.stdout.write(csvRow(result));
      progress.tick(result.File);
    }
    progress.finish();
    if (output === 'json') io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    if (output === 'table') io.stdout.write(batchTable(results));
    const crowded = results.filter((r) => (r.FaceCount ?? 0) > 1).length;
    if (crowded > 0) {
      io.stderr.write(
        `Note: ${crowded} of ${results.length} photos have more than one face; ${LARGEST_ONLY}.\n`,
      );
    }
    return failed > 0 ? 1 : 0;
  },
};

interface Searched {
  /** Undefined when not counted. */
  faceCount?: number;
  response: SearchFacesByImageResponse;
}

/**
 * DetectFaces for the face count (`count`), then SearchFacesByImage; `skipFaceless`: a photo
 * without faces is a result (0 faces), not the API's InvalidParameterException.
 */
async function searchOne(
  api: ApiClient,
  CollectionId: string,
  image: ImageToSend,
  values: OptionValues,
  rate: ReturnType<typeof falseAcceptRateFlag>,
  how: { count: boolean; skipFaceless: boolean },
): Promise<Searched> {
  const faceCount = how.count
    ? ((await api.call('DetectFaces', { Image: { Bytes: image.bytes } })).FaceDetails?.length ?? 0)
    : undefined;
  if (faceCount === 0 && how.skipFaceless) return { faceCount, response: { FaceMatches: [] } };
  try {
    const response = await api.call(
      'SearchFacesByImage',
      defined({
        CollectionId,
        Image: { Bytes: image.bytes },
        FaceMatchThreshold: numberFlag(values, 'threshold'),
        MaxFaces: numberFlag(values, 'max-faces'),
        QualityFilter: stringFlag(values, 'quality-filter') as never,
      }),
      rate,
    );
    return { faceCount, response };
  } catch (error) {
    // Faces found, but none passed --quality-filter: nothing searched, not a failure.
    if (how.skipFaceless && error instanceof ApiError && /There are no faces/.test(error.message)) {
      return { faceCount, response: { FaceMatches: [] } };
    }
    throw error;
  }
}

async function drawResult(image: ImageToSend, result: Searched, to: string, cwd: string) {
  const searchedBox = result.response.SearchedFaceBoundingBox;
  if (!searchedBox) return;
  const best = result.response.FaceMatches?.[0];
  // Boxes are ratios of the upright image, so they fit the original as well as a shrunk copy.
  await drawFaces(
    image.original,
    [
      {
        box: searchedBox,
        label: best
          ? `${best.Face?.ExternalImageId ?? best.Face?.FaceId} ${percent(best.Similarity)}`
          : 'no match',
        color: best ? markColors.match : markColors.noMatch,
      },
    ],
    to,
    cwd,
  );
}

function singleTable({ faceCount, response }: Searched, drawTo: string | undefined): string {
  const matches = response.FaceMatches ?? [];
  const head = renderFields([
    [
      'Faces in the photo',
      faceCount !== undefined && faceCount > 1 ? `${faceCount} (${LARGEST_ONLY})` : faceCount,
    ],
    ['Searched face', response.SearchedFaceBoundingBox && box(response.SearchedFaceBoundingBox)],
    ['Confidence', percent(response.SearchedFaceConfidence)],
  ]);
  if (!response.SearchedFaceBoundingBox) return `${head}No face passed the quality filter\n`;
  if (matches.length === 0) return `${head}No matches\n`;
  return (
    head +
    renderTable(
      ['Similarity', 'FaceId', 'ExternalImageId', 'UserId'],
      matches.map((m) => [
        percent(m.Similarity),
        m.Face?.FaceId,
        m.Face?.ExternalImageId,
        m.Face?.UserId,
      ]),
    ) +
    (drawTo ? `Drawn to ${drawTo}\n` : '')
  );
}

function batchTable(results: readonly SearchResult[]): string {
  return renderTable(
    ['File', 'Faces', 'Best match', 'Similarity', 'FaceId', 'Matches'],
    results.map((r) => {
      const best = r.FaceMatches?.[0];
      if (r.Error) return [r.File, '', `failed: ${r.Error}`];
      return [
        r.File,
        r.FaceCount,
        best ? (best.Face?.ExternalImageId ?? '') : r.SearchedFaceBoundingBox ? 'no match' : '',
        percent(best?.Similarity) ?? '',
        best?.Face?.FaceId ?? '',
        r.FaceMatches?.length ?? 0,
      ];
    }),
  );
}

const csvHeader = csvLine([
  'file',
  'faces',
  'searched_left',
  'searched_top',
  'searched_width',
  'searched_height',
  'searched_confidence',
  'matches',
  'best_similarity',
  'best_face_id',
  'best_external_image_id',
  'best_user_id',
  'error',
]);

function csvRow(r: SearchResult): string {
  const best = r.FaceMatches?.[0];
  const searched = r.SearchedFaceBoundingBox;
  return csvLine([
    r.File,
    r.FaceCount,
    searched?.Left?.toFixed(4),
    searched?.Top?.toFixed(4),
    searched?.Width?.toFixed(4),
    searched?.Height?.toFixed(4),
    r.SearchedFaceConfidence?.toFixed(3),
    r.Error ? undefined : (r.FaceMatches?.length ?? 0),
    best?.Similarity?.toFixed(3),
    best?.Face?.FaceId,
    best?.Face?.ExternalImageId,
    best?.Face?.UserId,
    r.Error,
  ]);
}
