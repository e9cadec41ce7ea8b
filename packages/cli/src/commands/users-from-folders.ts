import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RequestOptions } from '@facekit/core';
import {
  associatePersonFaces,
  findPersonFaces,
  type PersonFolder,
  type PersonFolderPhoto,
  type PersonSkipReason,
  skipOfChoice,
  skipOfUnindexed,
  toUserId,
} from '@facekit/core/people';
import { type ApiClient, ApiError } from '../client/api-client.js';
import { type CommandContext, numberFlag, stringFlag } from '../command.js';
import { imageReader } from '../image-bytes.js';
import { collectImages, type ImageFile, ImageFileError, toExternalImageId } from '../images.js';
import { renderTable } from '../output.js';
import { Progress } from '../progress.js';
import { UsageError } from '../usage-error.js';
import { falseAcceptRateFlag } from './images.js';
import { listPages } from './paginate.js';

interface PersonPhoto extends ImageFile, PersonFolderPhoto {}

/** The JSON summary (`--output json`): one entry per person folder. */
export interface UsersFromFoldersSummary {
  Users: {
    UserId: string;
    Folder: string;
    Associated: { Path: string; FaceId: string; AlreadyAssociated: boolean }[];
    Skipped: { Path: string; Reason: PersonSkipReason; Detail?: string }[];
  }[];
  /** Files directly in a folder argument, outside any person's folder. */
  Ignored: string[];
}

/** The threshold two faces of a folder must reach to be taken for the same person. */
const defaultThreshold = 80;

/**
 * `facekit index <collection> --users-from-folders <folder>...`: each subfolder is a person. The
 * photos are indexed (resuming as `index` does), the face of each photo that matches the
 * folder's other photos is found with SearchFaces, and those faces are associated with a user
 * named after the folder (CreateUser, AssociateFaces). Rekognition calls only, so it works
 * in-process and against any endpoint.
 */
export async function indexUsersFromFolders({
  io,
  output,
  positionals,
  values,
  client,
}: CommandContext): Promise<number> {
  const [CollectionId, ...roots] = positionals;
  const threshold = numberFlag(values, 'threshold');
  const searchOptions: RequestOptions = falseAcceptRateFlag(values) ?? {};
  const maxFalseAcceptRate = searchOptions.maxFalseAcceptRate;
  const { people, ignored } = await personFolders(roots, io.cwd);
  if (people.length === 0) {
    throw new Error(`no subfolder with .jpg, .jpeg or .png files in ${roots.join(' ')}`);
  }

  const api = await client();
  const listed = await listPages(api, 'ListFaces', { CollectionId }, ['Faces']);
  const facesOfImage = new Map<string, { FaceId: string; UserId?: string }[]>();
  for (const face of listed.Faces ?? []) {
    if (!face.ExternalImageId || !face.FaceId) continue;
    const list = facesOfImage.get(face.ExternalImageId) ?? [];
    list.push({ FaceId: face.FaceId, ...(face.UserId ? { UserId: face.UserId } : {}) });
    facesOfImage.set(face.ExternalImageId, list);
  }
  const userOfFace = new Map<string, string>();
  for (const faces of facesOfImage.values()) {
    for (const f of faces) if (f.UserId) userOfFace.set(f.FaceId, f.UserId);
  }

  // 1. Index every photo not indexed yet (a photo that left no face is tried again).
  const todo: PersonPhoto[] = [];
  for (const person of people) {
    for (const photo of person.photos) {
      const faces = facesOfImage.get(photo.externalImageId);
      if (faces) photo.faceIds = faces.map((f) => f.FaceId);
      else todo.push(photo);
    }
  }
  const progress = new Progress(io.stderr, todo.length, Boolean(values.quiet));
  const read = imageReader(io, { resize: !values['no-resize'] });
  const indexOne = async (photo: PersonPhoto) => {
    try {
      const image = await read(photo.path);
      const response = await api.call('IndexFaces', {
        CollectionId,
        Image: { Bytes: image.bytes },
        ExternalImageId: photo.externalImageId,
        QualityFilter: (stringFlag(values, 'quality-filter') ?? 'AUTO') as never,
      });
      photo.faceIds = (response.FaceRecords ?? []).flatMap((r) =>
        r.Face?.FaceId ? [r.Face.FaceId] : [],
      );
      if (photo.faceIds.length === 0) photo.skip = skipOfUnindexed(response.UnindexedFaces ?? []);
      progress.tick(`${photo.path}: ${photo.faceIds.length} face(s) indexed`);
    } catch (error) {
      if (!(error instanceof ApiError || error instanceof ImageFileError)) throw error;
      if (error instanceof ApiError && fatalErrors.has(error.name)) throw error;
      const text =
        error instanceof ApiError ? `${error.name}: ${error.message}` : (error as Error).message;
      photo.skip = { reason: 'failed', detail: text };
      progress.note(`failed: ${photo.path}: ${text}`);
      progress.tick(`${photo.path}: failed`);
    }
  };
  const concurrency = numberFlag(values, 'concurrency') ?? 2;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, todo.length) }, async () => {
      while (next < todo.length) await indexOne(todo[next++]);
    }),
  );
  progress.finish();

  // 2. Per person: which face of each photo is the person, then CreateUser + AssociateFaces.
  for (const person of people) {
    const choices = await findPersonFaces(
      person.photos.filter((p) => !p.skip),
      async (FaceId) =>
        (
          await api.call(
            'SearchFaces',
            {
              CollectionId,
              FaceId,
              MaxFaces: 4096,
              ...(maxFalseAcceptRate === undefined
                ? { FaceMatchThreshold: threshold ?? defaultThreshold }
                : {}),
            },
            searchOptions,
          )
        ).FaceMatches ?? [],
    );
    const byPath = new Map(person.photos.map((p) => [p.path, p]));
    for (const choice of choices) {
      const photo = byPath.get(choice.path) as PersonPhoto;
      if (choice.kind === 'chosen') photo.faceId = choice.faceId;
      else photo.skip = skipOfChoice(choice);
    }
    const chosen = person.photos.filter((p) => p.faceId !== undefined);
    if (chosen.length === 0) continue;
    await createUserOnce(api, CollectionId, person.userId);
    await associatePersonFaces(chosen, person.userId, userOfFace, (FaceIds) =>
      api.call('AssociateFaces', { CollectionId, UserId: person.userId, FaceIds }),
    );
  }

  const summary = summarize(people, ignored);
  if (output === 'json') io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else if (output === 'jsonl') {
    for (const user of summary.Users) io.stdout.write(`${JSON.stringify(user)}\n`);
  }
  const text = renderSummary(summary);
  (output === 'table' ? io.stdout : io.stderr).write(text);
  // Skipped photos are an answer (the summary says why); only files that failed are an error.
  return summary.Users.some((u) => u.Skipped.some((s) => s.Reason === 'failed')) ? 1 : 0;
}

/** Errors that no other photo would escape: stop instead of failing every file the same way. */
const fatalErrors = new Set(['ResourceNotFoundException', 'AccessDeniedException']);

async function createUserOnce(api: ApiClient, CollectionId: string, UserId: string) {
  try {
    await api.call('CreateUser', { CollectionId, UserId });
  } catch (error) {
    // An earlier run made it: resuming.
    if (!(error instanceof ApiError && error.name === 'ConflictException')) throw error;
  }
}

/** The first-level subfolders of each folder argument, with their photos (recursively). */
async function personFolders(
  roots: readonly string[],
  cwd: string,
): Promise<{ people: PersonFolder<PersonPhoto>[]; ignored: string[] }> {
  const people = new Map<string, PersonFolder<PersonPhoto>>();
  const ignored: string[] = [];
  for (const root of roots) {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(resolve(cwd, root), { withFileTypes: true });
    } catch (error) {
      throw new UsageError(
        `--users-from-folders needs folders: cannot read ${root} (${(error as NodeJS.ErrnoException).code})`,
      );
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      if (!entry.isDirectory()) {
        if (entry.isFile()) ignored.push(join(root, entry.name));
        continue;
      }
      const photos = await collectImages([join(root, entry.name)], cwd);
      if (photos.length === 0) continue;
      const userId = toUserId(entry.name);
      const person = people.get(userId) ?? { folder: join(root, entry.name), userId, photos: [] };
      for (const photo of photos) {
        // ExternalImageId `<person>:<file>`, as `index photos/` names the same photo.
        person.photos.push({
          path: photo.path,
          externalImageId: `${toExternalImageId(entry.name)}:${photo.externalImageId}`.slice(-255),
          faceIds: [],
        });
      }
      people.set(userId, person);
    }
  }
  return { people: [...people.values()], ignored };
}

function summarize(
  people: readonly PersonFolder<PersonPhoto>[],
  ignored: string[],
): UsersFromFoldersSummary {
  return {
    Users: people.map((person) => ({
      UserId: person.userId,
      Folder: person.folder,
      Associated: person.photos.flatMap((p) =>
        p.faceId === undefined
          ? []
          : [{ Path: p.path, FaceId: p.faceId, AlreadyAssociated: Boolean(p.alreadyAssociated) }],
      ),
      Skipped: person.photos.flatMap((p) =>
        p.faceId !== undefined || !p.skip
          ? []
          : [
              {
                Path: p.path,
                Reason: p.skip.reason,
                ...(p.skip.detail ? { Detail: p.skip.detail } : {}),
              },
            ],
      ),
    })),
    Ignored: ignored,
  };
}

function renderSummary(summary: UsersFromFoldersSummary): string {
  const rows = summary.Users.map((u) => {
    const reasons = new Map<string, number>();
    for (const s of u.Skipped) reasons.set(s.Reason, (reasons.get(s.Reason) ?? 0) + 1);
    return [
      u.UserId,
      u.Associated.length + u.Skipped.length,
      `${u.Associated.length} (${u.Associated.filter((a) => a.AlreadyAssociated).length} before)`,
      u.Skipped.length === 0
        ? '0'
        : `${u.Skipped.length}: ${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ')}`,
    ];
  });
  const skipped = summary.Users.flatMap((u) => u.Skipped);
  return (
    renderTable(['user', 'photos', 'associated', 'skipped'], rows) +
    (skipped.length
      ? `Skipped photos:\n${skipped.map((s) => `  ${s.Path}: ${s.Reason}${s.Detail ? ` (${s.Detail})` : ''}`).join('\n')}\n`
      : '') +
    (summary.Ignored.length
      ? `Not in a person's folder (ignored): ${summary.Ignored.join(', ')}\n`
      : '')
  );
}
