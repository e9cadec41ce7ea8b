import { availableParallelism } from 'node:os';
import { extname, join, resolve } from 'node:path';
import type { IndexFacesResponse } from '@facekit/core';
import { ApiError } from '../client/api-client.js';
import { type Command, defined, listFlag, numberFlag, stringFlag } from '../command.js';
import { drawFaces, markColors } from '../draw.js';
import { imageReader, noResizeOption } from '../image-bytes.js';
import { collectImages, type ImageFile, ImageFileError } from '../images.js';
import { renderTable } from '../output.js';
import { formatDuration, Progress } from '../progress.js';
import { UsageError } from '../usage-error.js';
import { falseAcceptRateOption } from './images.js';
import { listPages } from './paginate.js';
import { indexUsersFromFolders } from './users-from-folders.js';

/** Errors that no other image would escape: stop instead of failing every file the same way. */
const fatalErrors = new Set(['ResourceNotFoundException', 'AccessDeniedException']);

interface Failure {
  path: string;
  error: string;
}

export const indexCommand: Command = {
  path: ['index'],
  summary: 'index the faces of images and folders into a collection (IndexFaces per image)',
  args: '<collection-id> <file-or-folder>...',
  positionals: { min: 2 },
  options: {
    concurrency: {
      type: 'string',
      value: '<n>',
      description: `images in flight at once [${defaultConcurrency()}]`,
    },
    'max-faces': {
      type: 'string',
      value: '<n>',
      description: 'MaxFaces: at most n faces per image',
    },
    'quality-filter': {
      type: 'string',
      value: '<level>',
      description: 'QualityFilter: NONE, AUTO (default), LOW, MEDIUM or HIGH',
    },
    attributes: {
      type: 'string',
      multiple: true,
      value: '<name>',
      description: 'DetectionAttributes: DEFAULT or ALL',
    },
    'external-image-id': {
      type: 'string',
      value: '<id>',
      description: 'ExternalImageId of a single image file (default: derived from its path)',
    },
    force: {
      type: 'boolean',
      description: 'index images again even if their ExternalImageId is in the collection',
    },
    draw: {
      type: 'string',
      value: '<dir>',
      description: 'write a copy of each image with its indexed (green) and unindexed (red) faces',
    },
    'users-from-folders': {
      type: 'boolean',
      description:
        'each subfolder is a person: CreateUser named after it, AssociateFaces with its face in each photo',
    },
    threshold: {
      type: 'string',
      value: '<0-100>',
      description: 'with --users-from-folders: Similarity at which two photos show one person [80]',
    },
    ...falseAcceptRateOption,
    ...noResizeOption,
    quiet: { type: 'boolean', short: 'q', description: 'no progress, only the summary' },
  },
  notes: `Folders are walked recursively for .jpg, .jpeg and .png files (sorted; hidden files skipped).
Each image's ExternalImageId is its path below the folder given (the file name for a file),
with / turned into : and any character outside [a-zA-Z0-9_.-:] into _, e.g.
photos/ana/beach day.jpg -> ana:beach_day.jpg. The file name is what search results show.

Resuming: before indexing, the collection's faces are listed and every image whose
ExternalImageId already has a face is skipped, so running the same command again after an
interruption continues where it stopped. Images in which no face was indexed are tried again
(they left nothing behind). --force indexes everything again (duplicates faces).

A bad file never stops the run: it is reported in the summary and the exit code is 1.
Output: a progress bar (terminal) or one line per image (stderr), then a summary;
--output jsonl prints each IndexFaces response as it arrives; --output json prints the
response for a single image file, or an array of them.

People from folders (--users-from-folders people/): each subfolder of people/ is a person
(people/José María/*.jpg -> UserId Jose_Maria; a folder name is made a valid UserId). Every
photo is indexed as above (AUTO quality filter), then SearchFaces finds, in each photo, the face
that matches the folder's other photos at --threshold (80: a false accept rate of about
0.1%; or --max-false-accept-rate); that face is associated with the user (CreateUser, AssociateFaces). A bystander or
a second face is never associated; a photo whose faces match none of the others is skipped.
The summary lists skipped photos and why: no face, too small, low quality, no face matching
the others, several people equally often (the folder does not say who it is). Resumable: run
it again and only what is missing is indexed and associated.`,
  examples: [
    'facekit index family photos/',
    'facekit index family photos/ more/ana.jpg --concurrency 4',
    'facekit index family photos/ --output jsonl > indexed.jsonl',
    'facekit index family photos/ --endpoint http://127.0.0.1:8080 --draw drawn/',
    'facekit index family --users-from-folders people/   # people/ana/*.jpg -> user ana',
  ],
  async run(context) {
    if (context.values['users-from-folders']) return indexUsersFromFolders(context);
    const { io, output, positionals, values, client } = context;
    const [CollectionId, ...paths] = positionals;
    const concurrency = numberFlag(values, 'concurrency') ?? defaultConcurrency();
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new UsageError(
        `invalid --concurrency '${values.concurrency}': expected an integer ≥ 1`,
      );
    }
    const images = await collectImages(paths, io.cwd);
    const explicitId = stringFlag(values, 'external-image-id');
    if (explicitId !== undefined) {
      if (images.length !== 1) {
        throw new UsageError('--external-image-id needs exactly one image file');
      }
      images[0].externalImageId = explicitId;
    }
    if (images.length === 0) throw new Error(`no .jpg, .jpeg or .png files in ${paths.join(' ')}`);

    const api = await client();
    const indexed = new Set<string>();
    if (!values.force) {
      const listed = await listPages(api, 'ListFaces', { CollectionId }, ['Faces']);
      for (const face of listed.Faces ?? []) {
        if (face.ExternalImageId) indexed.add(face.ExternalImageId);
      }
    }
    const todo = images.filter((image) => !indexed.has(image.externalImageId));
    const skipped = images.length - todo.length;

    const started = performance.now();
    const progress = new Progress(io.stderr, todo.length, Boolean(values.quiet));
    const responses: (IndexFacesResponse | undefined)[] = new Array(todo.length);
    const failures: Failure[] = [];
    const unindexedReasons = new Map<string, number>();
    let faces = 0;
    let unindexed = 0;
    let imagesWithoutFaces = 0;
    let fatal: unknown;
    const drawDir = stringFlag(values, 'draw');

    const read = imageReader(io, { resize: !values['no-resize'] });
    const indexOne = async (image: ImageFile, slot: number) => {
      try {
        const bytes = await read(image.path);
        const response = await api.call(
          'IndexFaces',
          defined({
            CollectionId,
            Image: { Bytes: bytes.bytes },
            ExternalImageId: image.externalImageId,
            MaxFaces: numberFlag(values, 'max-faces'),
            QualityFilter: stringFlag(values, 'quality-filter') as never,
            DetectionAttributes: listFlag(values, 'attributes') as never,
          }),
        );
        responses[slot] = response;
        const records = response.FaceRecords ?? [];
        const skippedFaces = response.UnindexedFaces ?? [];
        faces += records.length;
        unindexed += skippedFaces.length;
        if (records.length === 0) imagesWithoutFaces++;
        for (const face of skippedFaces) {
          for (const reason of face.Reasons ?? []) {
            unindexedReasons.set(reason, (unindexedReasons.get(reason) ?? 0) + 1);
          }
        }
        if (output === 'jsonl') io.stdout.write(`${JSON.stringify(response)}\n`);
        if (drawDir) {
          const ext = extname(image.path).toLowerCase() === '.png' ? '.png' : '.jpg';
          await drawFaces(
            bytes.original,
            [
              ...records.map((r) => ({
                box: r.FaceDetail?.BoundingBox ?? r.Face?.BoundingBox ?? {},
                landmarks: r.FaceDetail?.Landmarks,
                label: image.externalImageId,
                color: markColors.face,
              })),
              ...skippedFaces.map((u) => ({
                box: u.FaceDetail?.BoundingBox ?? {},
                label: (u.Reasons ?? []).join(' '),
                color: markColors.unindexed,
              })),
            ],
            join(
              drawDir,
              `${image.externalImageId.replace(/:/g, '_').replace(/\.(jpe?g|png)$/i, '')}${ext}`,
            ),
            io.cwd,
          );
        }
        progress.tick(
          `${image.path}: ${records.length} face${records.length === 1 ? '' : 's'} indexed` +
            (skippedFaces.length ? `, ${skippedFaces.length} not indexed` : ''),
        );
      } catch (error) {
        if (error instanceof ApiError && fatalErrors.has(error.name)) throw error;
        if (!(error instanceof ApiError || error instanceof ImageFileError)) throw error;
        const text =
          error instanceof ApiError ? `${error.name}: ${error.message}` : (error as Error).message;
        failures.push({ path: image.path, error: text });
        progress.note(`failed: ${image.path}: ${text}`);
        progress.tick(`${image.path}: failed`);
      }
    };

    if (drawDir) {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(resolve(io.cwd, drawDir), { recursive: true });
    }
    let next = 0;
    const worker = async () => {
      while (fatal === undefined && next < todo.length) {
        const slot = next++;
        try {
          await indexOne(todo[slot], slot);
        } catch (error) {
          fatal ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
    progress.finish();
    if (fatal !== undefined) throw fatal;

    if (output === 'json') {
      const done = responses.filter((r) => r !== undefined);
      const single = images.length === 1 && paths.length === 1 && explicitOrFile(images, paths);
      if (!(single && done.length === 0)) {
        io.stdout.write(`${JSON.stringify(single ? done[0] : done, null, 2)}\n`);
      }
    }

    const seconds = (performance.now() - started) / 1000;
    const indexedImages = todo.length - failures.length;
    const summaryRows: [string, string][] = [
      ['images found', String(images.length)],
      ['skipped (already indexed)', String(skipped)],
      ['images indexed', `${indexedImages} (${imagesWithoutFaces} without an indexed face)`],
      ['faces indexed', String(faces)],
      [
        'faces not indexed',
        `${unindexed}${unindexedReasons.size ? ` (${[...unindexedReasons].map(([r, n]) => `${r} ${n}`).join(', ')})` : ''}`,
      ],
      ['failed', String(failures.length)],
      [
        'time',
        `${formatDuration(seconds)} (${(indexedImages / seconds || 0).toFixed(2)} images/s, ${(faces / seconds || 0).toFixed(2)} faces/s)`,
      ],
    ];
    const summary =
      renderTable(['summary', ''], summaryRows).split('\n').slice(1).join('\n') +
      (failures.length
        ? `Failures:\n${failures.map((f) => `  ${f.path}: ${f.error}`).join('\n')}\n`
        : '');
    (output === 'table' ? io.stdout : io.stderr).write(summary);
    return failures.length > 0 ? 1 : 0;
  },
};

function explicitOrFile(images: ImageFile[], paths: string[]): boolean {
  // One file argument (not a folder that happened to hold one image): answer like index-faces.
  return images[0].path === paths[0];
}

function defaultConcurrency(): number {
  return Math.min(4, Math.max(2, availableParallelism()));
}
