import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type FaceStore, RekognitionError } from '@facekit/core';
import { exportCollection, importCollection } from '@facekit/core/archive';
import { ApiError } from '../client/api-client.js';
import {
  type Command,
  type CommandContext,
  endpointOf,
  resolveLocalConfig,
  stringFlag,
} from '../command.js';
import { createLocalServices } from '../local-service.js';
import { emit, renderFields } from '../output.js';
import { UsageError } from '../usage-error.js';

const FORMAT_NOTE = `The file is JSON Lines: a header (format version, CollectionId, FaceModelVersion,
VectorDimension, CreationTimestamp, Tags, counts), one line per user, then one per face with its
FaceId, ImageId, ExternalImageId, BoundingBox, Confidence, UserId and Vector (base64 of
little-endian float32), then one per "not this person" decision (FaceId and OtherFaceId or
UserId). Both commands work in-process on the data directory (--data-dir,
--store), not through the Rekognition API, which has no operation that returns vectors.`;

export const archiveCommands: Command[] = [
  {
    path: ['collections', 'export'],
    summary:
      'write a collection with its faces, vectors, users, tags and "not this person" decisions to a portable file',
    args: '<collection-id>',
    positionals: { min: 1, max: 1 },
    options: {
      file: {
        type: 'string',
        value: '<out.jsonl>',
        description: 'write here (default: standard output)',
      },
    },
    examples: [
      'facekit collections export family --file family.jsonl',
      'facekit collections export family | gzip > family.jsonl.gz',
    ],
    notes: FORMAT_NOTE,
    run: (context) =>
      asApiErrors(async () => {
        const store = await openLocalStore(context, 'export');
        try {
          const lines = exportCollection(store, context.positionals[0]);
          const file = stringFlag(context.values, 'file');
          if (file === undefined) {
            for await (const line of lines) context.io.stdout.write(`${line}\n`);
            return 0;
          }
          const path = resolve(context.io.cwd, file);
          const count = await writeLines(path, lines);
          context.io.stderr.write(
            `Exported ${context.positionals[0]} to ${file} (${count.faces} faces, ${count.users} users, ${count.separations} separations)\n`,
          );
          return 0;
        } finally {
          await store.close();
        }
      }),
  },
  {
    path: ['collections', 'import'],
    summary: 'create a collection from a file that `collections export` wrote',
    args: '<file>',
    positionals: { min: 1, max: 1 },
    options: {
      'collection-id': {
        type: 'string',
        value: '<id>',
        description: "the new collection's id (default: the one in the file); must not exist",
      },
    },
    examples: [
      'facekit collections import family.jsonl',
      'facekit collections import family.jsonl --collection-id family-copy',
    ],
    notes: `${FORMAT_NOTE}\nThe import keeps FaceIds, refuses a file of another face model, and changes
nothing when any line is invalid.`,
    run: (context) =>
      asApiErrors(async () => {
        const { io, output, positionals, values } = context;
        const config = resolveLocalConfig(values, io);
        const store = await openLocalStore(context, 'import');
        try {
          const path = resolve(io.cwd, positionals[0]);
          const input = createReadStream(path, { encoding: 'utf8' });
          const opened = once(input, 'open').catch((error: NodeJS.ErrnoException) => {
            throw new UsageError(`cannot read ${positionals[0]}: ${error.code ?? error.message}`);
          });
          await opened;
          const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
          // `--face-model none` runs no model: nothing to compare the archive's vectors with.
          const faceModelVersion = config.faceModel === 'none' ? undefined : config.faceModel;
          const result = await importCollection(store, lines, {
            collectionId: stringFlag(values, 'collection-id'),
            faceModelVersion,
            vectorDimension:
              faceModelVersion === undefined
                ? undefined
                : await knownDimension(store, faceModelVersion),
          }).catch((error: unknown) => {
            throw nameCollectionIdFlag(error, positionals[0]);
          });
          const response = {
            CollectionId: result.collectionId,
            FaceCount: result.faceCount,
            UserCount: result.userCount,
            SeparationCount: result.separationCount,
          };
          emit(io, output, response, () =>
            renderFields([
              ['Imported collection', result.collectionId],
              ['FaceCount', result.faceCount],
              ['UserCount', result.userCount],
              ['SeparationCount', result.separationCount],
            ]),
          );
          return 0;
        } finally {
          await store.close();
        }
      }),
  },
];

/** An import onto an existing collection: say which flag picks another id. */
function nameCollectionIdFlag(error: unknown, file: string): unknown {
  if (!RekognitionError.isInstance(error) || error.name !== 'ResourceAlreadyExistsException') {
    return error;
  }
  const id = /collection id: (\S+) already exists/.exec(error.message)?.[1] ?? 'the collection';
  return new ApiError(
    error.name,
    `The collection id: ${id} already exists; import it under a new id with --collection-id, e.g. facekit collections import ${file} --collection-id ${id}-copy`,
    { cause: error },
  );
}

/** Rekognition errors from the core print as API errors do: `Name: message`. */
async function asApiErrors(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (!RekognitionError.isInstance(error)) throw error;
    throw new ApiError(error.name, error.message, { cause: error });
  }
}

async function openLocalStore(context: CommandContext, what: string): Promise<FaceStore> {
  if (endpointOf(context.values, context.io) !== undefined) {
    throw new UsageError(
      `collections ${what} works on a data directory, not over the Rekognition API (it has no operation that returns face vectors): run it where the server's --data-dir is, without --endpoint`,
    );
  }
  return createLocalServices(resolveLocalConfig(context.values, context.io)).openStore();
}

/** The vector length of faces already stored for this face model, when there are any. */
async function knownDimension(store: FaceStore, faceModelVersion: string) {
  let after: string | undefined;
  do {
    const page = await store.listCollections({ limit: 100, after });
    for (const collection of page.items) {
      if (collection.faceModelVersion !== faceModelVersion) continue;
      const [face] = (await store.listFaces(collection.collectionId, { limit: 1 })).items;
      if (!face) continue;
      const [stored] = await store.getFaces(collection.collectionId, [face.faceId]);
      if (stored) return stored.vector.length;
    }
    after = page.next;
  } while (after);
  return undefined;
}

/** Writes lines to a temporary file, renamed into place once complete (never a half file). */
export async function writeLines(path: string, lines: AsyncIterable<string>) {
  const partial = `${path}.partial`;
  const out = createWriteStream(partial, { encoding: 'utf8' });
  // A write failing (ENOSPC, EIO) while we wait for the next line from the store would be an
  // unhandled 'error' event that ends the process: keep it and throw it here instead.
  let failed: Error | undefined;
  out.on('error', (error) => {
    failed = error;
  });
  const count = { faces: 0, users: 0, separations: 0 };
  try {
    for await (const line of lines) {
      if (failed) throw failed;
      if (line.startsWith('{"Type":"Face"')) count.faces++;
      else if (line.startsWith('{"Type":"User"')) count.users++;
      else if (line.startsWith('{"Type":"Separation"')) count.separations++;
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    }
    if (failed) throw failed;
    out.end();
    await once(out, 'finish');
    await rename(partial, path);
    return count;
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true }).catch(() => {}); // the first error is the one to report
    throw error;
  }
}
