import {
  AssociateFacesCommand,
  CreateUserCommand,
  IndexFacesCommand,
  ListFacesCommand,
  SearchFacesCommand,
} from '@aws-sdk/client-rekognition';
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
import { describeCollection } from '../collections.js';
import { h, render } from '../dom.js';
import { externalImageIdOf } from '../external-image-id.js';
import { rememberPicture } from '../face-pictures.js';
import { imageBytes, knownImage, plural } from '../photos.js';
import { attempt, session } from '../session.js';

/** SearchFaces' threshold for two photos of a folder to show one person, as the CLI's default. */
const DEFAULT_THRESHOLD = 80;

interface PersonPhoto extends PersonFolderPhoto {
  file: File;
  /** The path below the chosen folder, as the summary names it. */
  path: string;
  externalImageId: string;
}

/**
 * Folders of people, as `facekit index --users-from-folders`: the user chooses a folder with a
 * subfolder per person; every photo is indexed (photos indexed before, by ExternalImageId
 * `<person>:<file>`, are not sent again), each folder's faces are searched among themselves and
 * `@facekit/core/people` decides which face of each photo is the person (never a bystander), then
 * CreateUser + AssociateFaces. A summary lists each user and the photos skipped, with why.
 */
export function peopleFolders(collection: string): HTMLElement {
  const input = h('input', {
    id: 'people-folder',
    type: 'file',
    webkitdirectory: true,
    'aria-label': 'Folder of people',
  });
  const threshold = h('input', {
    id: 'people-folder-threshold',
    type: 'number',
    min: 0,
    max: 100,
    step: 1,
    value: String(DEFAULT_THRESHOLD),
    'aria-label': 'Similarity of one person',
  });
  const progress = h('p', { class: 'progress', 'data-testid': 'folders-progress', hidden: true });
  const result = h('div', { 'data-testid': 'folders-result' });
  input.addEventListener('change', () => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length > 0) void run(collection, files, Number(threshold.value), progress, result);
  });
  return h(
    'section',
    { class: 'people-folders' },
    h('h3', null, 'Folders of people'),
    h(
      'p',
      { class: 'intro' },
      'Choose a folder with one subfolder per person (people/ana/*.jpg → user ana): each photo is indexed, and the face that matches the folder’s other photos is associated with the user (bystanders never are).',
    ),
    h(
      'div',
      { class: 'row' },
      h(
        'label',
        { class: 'drop', for: 'people-folder' },
        input,
        h('span', null, 'Choose a folder'),
      ),
      h('label', null, 'Similarity ≥ ', threshold),
    ),
    progress,
    result,
  );
}

/** The chosen folder's files by person: `<root>/<person>/<...>/<photo>`; others are ignored. */
function personFolders(files: readonly File[]): {
  people: PersonFolder<PersonPhoto>[];
  ignored: string[];
} {
  const people = new Map<string, PersonFolder<PersonPhoto>>();
  const ignored: string[] = [];
  const sorted = [...files].sort((a, b) => compare(relativePath(a), relativePath(b)));
  for (const file of sorted) {
    const parts = relativePath(file).split('/');
    // The root folder itself is parts[0]: a person's folder is the level below it.
    const [, folderName, ...rest] = parts;
    if (parts.some((part) => part.startsWith('.'))) continue;
    if (rest.length === 0 || !folderName) {
      ignored.push(parts.slice(1).join('/') || file.name);
      continue;
    }
    if (!/\.(jpe?g|png)$/i.test(file.name)) continue;
    const userId = toUserId(folderName);
    const person = people.get(userId) ?? { folder: folderName, userId, photos: [] };
    const path = parts.slice(1).join('/');
    person.photos.push({ file, path, externalImageId: externalImageIdOf(path), faceIds: [] });
    people.set(userId, person);
  }
  return { people: [...people.values()], ignored };
}

const relativePath = (file: File) => file.webkitRelativePath || file.name;
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function run(
  collection: string,
  files: readonly File[],
  threshold: number,
  progress: HTMLElement,
  result: HTMLElement,
) {
  render(result);
  progress.hidden = false;
  progress.classList.remove('has-failures');
  const { people, ignored } = personFolders(files);
  if (people.length === 0) {
    progress.textContent = 'No subfolder with .jpg, .jpeg or .png files in that folder.';
    progress.classList.add('has-failures');
    return;
  }
  const say = (text: string) => {
    progress.textContent = text;
  };
  const outcome = await attempt(async () => {
    const known = await facesByImage(collection);
    const photos = people.flatMap((p) => p.photos);
    const todo = photos.filter((photo) => {
      const faces = known.get(photo.externalImageId);
      if (faces) photo.faceIds = faces.map((f) => f.faceId);
      return !faces;
    });
    for (const [i, photo] of todo.entries()) {
      say(`Indexing ${i + 1} of ${todo.length}: ${photo.path}…`);
      await indexPhoto(collection, photo);
    }
    const userOfFace = new Map<string, string>();
    for (const faces of known.values()) {
      for (const f of faces) if (f.userId) userOfFace.set(f.faceId, f.userId);
    }
    for (const [i, person] of people.entries()) {
      say(
        `Finding ${person.userId} (${i + 1} of ${people.length}) in ${plural(person.photos.length, 'photo')}…`,
      );
      await associatePerson(collection, person, threshold, userOfFace);
    }
  });
  if (!outcome.ok) {
    progress.textContent = outcome.authentication
      ? 'Access keys needed: sign in and choose the folder again (photos indexed so far are kept).'
      : `Stopped: ${outcome.message}`;
    progress.classList.add('has-failures');
  }
  await describeCollection();
  const all = people.flatMap((p) => p.photos);
  const associated = all.filter((p) => p.faceId !== undefined).length;
  const skipped = all.filter((p) => p.faceId === undefined && p.skip).length;
  if (outcome.ok) {
    say(
      `${plural(people.length, 'folder')}, ${plural(all.length, 'photo')}: ${associated} associated, ${skipped} skipped.`,
    );
    progress.classList.toggle(
      'has-failures',
      all.some((p) => p.skip?.reason === 'failed'),
    );
  }
  render(result, summary(people, ignored));
}

/** Faces already in the collection by ExternalImageId: a folder chosen again resumes. */
async function facesByImage(collection: string) {
  const byImage = new Map<string, { faceId: string; userId?: string }[]>();
  let NextToken: string | undefined;
  do {
    const page = await session.client.send(
      new ListFacesCommand({ CollectionId: collection, MaxResults: 1000, NextToken }),
    );
    for (const face of page.Faces ?? []) {
      if (!face.ExternalImageId || !face.FaceId) continue;
      const list = byImage.get(face.ExternalImageId) ?? [];
      list.push({ faceId: face.FaceId, ...(face.UserId ? { userId: face.UserId } : {}) });
      byImage.set(face.ExternalImageId, list);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return byImage;
}

/** IndexFaces for one photo; a photo the server refuses is skipped as failed, with its error. */
async function indexPhoto(collection: string, photo: PersonPhoto) {
  const [bytes, image] = await Promise.all([imageBytes(photo.file), knownImage(photo.file)]);
  try {
    const output = await session.client.send(
      new IndexFacesCommand({
        CollectionId: collection,
        Image: { Bytes: bytes },
        ExternalImageId: photo.externalImageId,
        QualityFilter: 'AUTO',
      }),
    );
    const records = output.FaceRecords ?? [];
    photo.faceIds = records.flatMap((r) => (r.Face?.FaceId ? [r.Face.FaceId] : []));
    if (photo.faceIds.length > 0) rememberPicture(records[0]?.Face?.ImageId, image);
    else {
      URL.revokeObjectURL(image.url);
      photo.skip = skipOfUnindexed(output.UnindexedFaces ?? []);
    }
  } catch (error) {
    URL.revokeObjectURL(image.url);
    // A wrong photo fails alone; keys, a missing collection or a dead server stop the run.
    if (!fatal(error)) {
      photo.skip = {
        reason: 'failed',
        detail: `${(error as Error).name}: ${(error as Error).message}`,
      };
      return;
    }
    throw error;
  }
}

const fatal = (error: unknown) =>
  !['InvalidImageFormatException', 'ImageTooLargeException', 'InvalidParameterException'].includes(
    (error as Error).name,
  );

/** Which face of each photo is the person, then CreateUser (unless it exists) + AssociateFaces. */
async function associatePerson(
  collection: string,
  person: PersonFolder<PersonPhoto>,
  threshold: number,
  userOfFace: ReadonlyMap<string, string>,
) {
  const choices = await findPersonFaces(
    person.photos.filter((p) => !p.skip),
    async (FaceId) =>
      (
        await session.client.send(
          new SearchFacesCommand({
            CollectionId: collection,
            FaceId,
            MaxFaces: 4096,
            FaceMatchThreshold: threshold,
          }),
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
  if (chosen.length === 0) return;
  try {
    await session.client.send(
      new CreateUserCommand({ CollectionId: collection, UserId: person.userId }),
    );
  } catch (error) {
    // An earlier run made it: resuming.
    if ((error as Error).name !== 'ConflictException') throw error;
  }
  await associatePersonFaces(chosen, person.userId, userOfFace, (FaceIds) =>
    session.client.send(
      new AssociateFacesCommand({ CollectionId: collection, UserId: person.userId, FaceIds }),
    ),
  );
}

/** A row per user, then every skipped photo with why, as the CLI's summary. */
function summary(people: readonly PersonFolder<PersonPhoto>[], ignored: readonly string[]) {
  const rows = people.map((person) => {
    const associated = person.photos.filter((p) => p.faceId !== undefined);
    const skipped = person.photos.filter((p) => p.faceId === undefined && p.skip);
    const reasons = new Map<PersonSkipReason, number>();
    for (const p of skipped) {
      const reason = p.skip?.reason as PersonSkipReason;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    return h(
      'tr',
      { 'data-testid': 'folder-user' },
      h('td', null, person.userId),
      h('td', null, String(person.photos.length)),
      h(
        'td',
        null,
        `${associated.length} (${associated.filter((p) => p.alreadyAssociated).length} before)`,
      ),
      h(
        'td',
        null,
        skipped.length === 0
          ? '0'
          : `${skipped.length}: ${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ')}`,
      ),
    );
  });
  const skipped = people.flatMap((person) =>
    person.photos.filter((p) => p.faceId === undefined && p.skip),
  );
  return [
    h(
      'table',
      { class: 'folder-users' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['User', 'Photos', 'Associated', 'Skipped'].map((t) => h('th', null, t)),
        ),
      ),
      h('tbody', null, rows),
    ),
    skipped.length > 0 &&
      h(
        'ul',
        { class: 'skipped', 'data-testid': 'folder-skipped' },
        skipped.map((p) =>
          h(
            'li',
            null,
            `${p.path}: ${p.skip?.reason}`,
            p.skip?.detail && h('span', { class: 'small' }, ` (${p.skip.detail})`),
          ),
        ),
      ),
    ignored.length > 0 &&
      h('p', { class: 'hint' }, `Not in a person's folder (ignored): ${ignored.join(', ')}`),
  ];
}
