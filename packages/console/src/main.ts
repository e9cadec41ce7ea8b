import {
  AssociateFacesCommand,
  CompareFacesCommand,
  CreateCollectionCommand,
  CreateUserCommand,
  DeleteCollectionCommand,
  DeleteFacesCommand,
  DeleteUserCommand,
  DescribeCollectionCommand,
  DetectFacesCommand,
  type Face,
  type FaceDetail,
  IndexFacesCommand,
  ListCollectionsCommand,
  ListFacesCommand,
  ListUsersCommand,
  type RekognitionClient,
  SearchFacesByImageCommand,
  type User,
} from '@aws-sdk/client-rekognition';
import {
  anonymousCredentials,
  type ConsoleCredentials,
  createClient,
  forgetCredentials,
  isAuthError,
  loadCredentials,
  saveCredentials,
} from './connection.js';
import { byId, type Child, h, percent, render } from './dom.js';
import { externalImageIdOf } from './external-image-id.js';
import { faceThumbnail, imageView, type KnownImage, type Overlay } from './image-view.js';
import './styles.css';

/** Image.Bytes may hold 5 MiB; larger photos are re-encoded smaller in the browser first. */
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const TABS = ['detect', 'index', 'search', 'faces', 'users', 'compare'] as const;
type Tab = (typeof TABS)[number];

const state = {
  credentials: loadCredentials() ?? { ...anonymousCredentials },
  client: undefined as unknown as RekognitionClient,
  collection: undefined as string | undefined,
  users: [] as User[],
  /** Photos indexed from this tab, by ExternalImageId: the thumbnails of matches and faces. */
  gallery: new Map<string, KnownImage>(),
  tab: 'detect' as Tab,
};
state.client = createClient(state.credentials, window.location.origin);

// ---------------------------------------------------------------------------------------------
// Requests, errors and access keys

/**
 * Runs one API call with the button disabled; an authentication failure opens the key dialog,
 * any other failure is shown. Resolves to `undefined` when the call failed.
 */
async function call<T>(run: () => Promise<T>, button?: HTMLButtonElement): Promise<T | undefined> {
  if (button) button.disabled = true;
  document.body.classList.add('busy');
  try {
    const result = await run();
    showConnection(true);
    return result;
  } catch (error) {
    if (isAuthError(error)) {
      showConnection(false);
      openSignIn((error as Error).message);
    } else {
      notice(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
    return undefined;
  } finally {
    if (button) button.disabled = false;
    document.body.classList.remove('busy');
  }
}

function notice(message: string | undefined) {
  const element = byId('notice');
  element.hidden = message === undefined;
  render(
    element,
    message,
    h('button', { type: 'button', class: 'quiet', onclick: () => notice(undefined) }, 'Dismiss'),
  );
}

function showConnection(ok: boolean) {
  const signedIn = state.credentials.accessKeyId !== anonymousCredentials.accessKeyId;
  byId('connection').textContent = ok
    ? signedIn
      ? `connected as ${state.credentials.accessKeyId}`
      : 'connected'
    : 'access keys needed';
}

function openSignIn(reason?: string) {
  const dialog = byId<HTMLDialogElement>('sign-in');
  // The first refusal (of the placeholder keys) needs no server message: the text explains it.
  const ownKeys = state.credentials.accessKeyId !== anonymousCredentials.accessKeyId;
  if (reason && ownKeys) {
    byId('sign-in-reason').textContent = `The server refused these keys: ${reason}`;
  }
  if (!dialog.open) dialog.showModal();
}

function useCredentials(credentials: ConsoleCredentials) {
  state.credentials = credentials;
  state.client = createClient(credentials, window.location.origin);
}

byId('keys-button').addEventListener('click', () => openSignIn());
byId('sign-in-form').addEventListener('submit', (event) => {
  const form = new FormData(event.target as HTMLFormElement);
  const credentials: ConsoleCredentials = {
    accessKeyId: String(form.get('accessKeyId')).trim(),
    secretAccessKey: String(form.get('secretAccessKey')),
    region: String(form.get('region')).trim() || 'us-east-1',
  };
  saveCredentials(credentials);
  useCredentials(credentials);
  void refreshCollections();
});
byId('sign-out').addEventListener('click', () => {
  forgetCredentials();
  useCredentials({ ...anonymousCredentials });
  byId<HTMLDialogElement>('sign-in').close();
  void refreshCollections();
});

// ---------------------------------------------------------------------------------------------
// Collections

async function refreshCollections() {
  const ids: string[] = [];
  const done = await call(async () => {
    let NextToken: string | undefined;
    do {
      const page = await state.client.send(new ListCollectionsCommand({ NextToken }));
      ids.push(...(page.CollectionIds ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return true;
  });
  if (!done) return;
  if (state.collection && !ids.includes(state.collection)) state.collection = undefined;
  render(
    byId('collection-list'),
    ids.length === 0 && h('li', { class: 'empty' }, 'No collections yet.'),
    ids.map((id) =>
      h(
        'li',
        null,
        h(
          'button',
          {
            type: 'button',
            class: id === state.collection ? 'collection selected' : 'collection',
            'aria-pressed': String(id === state.collection),
            onclick: () => selectCollection(id),
          },
          id,
        ),
      ),
    ),
  );
  await describeCollection();
}

async function selectCollection(id: string | undefined) {
  state.collection = id;
  state.users = [];
  await refreshCollections();
  renderTab();
}

async function describeCollection() {
  const info = byId('collection-info');
  const id = state.collection;
  if (!id) {
    render(info, h('p', { class: 'hint' }, 'Select a collection to index, search and browse.'));
    return;
  }
  const described = await call(() =>
    state.client.send(new DescribeCollectionCommand({ CollectionId: id })),
  );
  if (!described) return;
  const remove = h('button', { type: 'button', class: 'danger' }, 'Delete collection');
  remove.addEventListener('click', async () => {
    if (!window.confirm(`Delete collection ${id} and all its faces and users?`)) return;
    const deleted = await call(
      () => state.client.send(new DeleteCollectionCommand({ CollectionId: id })),
      remove,
    );
    if (deleted) await selectCollection(undefined);
  });
  render(
    info,
    h('h3', null, id),
    h(
      'dl',
      null,
      h('dt', null, 'Faces'),
      h('dd', { 'data-testid': 'face-count' }, described.FaceCount ?? 0),
      h('dt', null, 'Users'),
      h('dd', null, described.UserCount ?? 0),
      h('dt', null, 'Face model'),
      h('dd', null, described.FaceModelVersion ?? '–'),
      h('dt', null, 'Created'),
      h('dd', null, described.CreationTimestamp?.toLocaleString() ?? '–'),
      h('dt', null, 'ARN'),
      h('dd', { class: 'mono small' }, described.CollectionARN ?? '–'),
    ),
    remove,
  );
}

byId('create-collection').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const input = form.elements.namedItem('collectionId') as HTMLInputElement;
  const id = input.value.trim();
  const created = await call(
    () => state.client.send(new CreateCollectionCommand({ CollectionId: id })),
    form.querySelector('button') ?? undefined,
  );
  if (!created) return;
  input.value = '';
  await selectCollection(id);
});

// ---------------------------------------------------------------------------------------------
// Tabs

for (const button of document.querySelectorAll<HTMLButtonElement>('[data-tab]')) {
  button.addEventListener('click', () => {
    state.tab = button.dataset.tab as Tab;
    renderTab();
  });
}

function renderTab() {
  for (const tab of TABS) {
    byId(`tab-${tab}`).hidden = tab !== state.tab;
    document
      .querySelector(`[data-tab="${tab}"]`)
      ?.setAttribute('aria-selected', String(tab === state.tab));
  }
  const panel = byId(`tab-${state.tab}`);
  // Detect and Compare keep their results while the user switches around.
  if (state.tab === 'detect' || state.tab === 'compare') {
    if (panel.childElementCount === 0) renderers[state.tab](panel, '');
    return;
  }
  if (!state.collection) {
    delete panel.dataset.collection;
    render(panel, h('p', { class: 'hint' }, 'Select or create a collection first.'));
    return;
  }
  // Index and Search keep theirs for the same collection; the lists are read again.
  const keeps = state.tab === 'index' || state.tab === 'search';
  if (keeps && panel.dataset.collection === state.collection) return;
  panel.dataset.collection = state.collection;
  renderers[state.tab](panel, state.collection);
}

const renderers: Record<Tab, (panel: HTMLElement, collection: string) => void> = {
  detect: renderDetect,
  index: renderIndex,
  search: renderSearch,
  faces: (panel, collection) => void renderFaces(panel, collection),
  users: (panel, collection) => void renderUsers(panel, collection),
  compare: renderCompare,
};

// ---------------------------------------------------------------------------------------------
// Images

/** A file input that also takes dropped files. */
function dropZone(id: string, text: string, multiple: boolean, onFiles: (files: File[]) => void) {
  const input = h('input', {
    id,
    type: 'file',
    accept: 'image/jpeg,image/png',
    multiple,
  });
  const zone = h('label', { class: 'drop', for: id }, input, h('span', null, text));
  const accept = (files: FileList | null | undefined) => {
    const images = [...(files ?? [])].filter((file) => /^image\/(jpeg|png)$/.test(file.type));
    if (images.length > 0) onFiles(multiple ? images : images.slice(0, 1));
    else if (files && files.length > 0) notice('Only JPEG and PNG photos can be sent.');
  };
  input.addEventListener('change', () => {
    accept(input.files);
    input.value = '';
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    accept(event.dataTransfer?.files);
  });
  return zone;
}

/**
 * The bytes to send: the file itself, or, over the API's 5 MiB, a JPEG re-encoded at most
 * 2048 px wide (the browser applies EXIF orientation when decoding, so box ratios still match).
 */
async function imageBytes(file: File): Promise<Uint8Array> {
  if (file.size <= MAX_IMAGE_BYTES) return new Uint8Array(await file.arrayBuffer());
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 2048 / Math.max(bitmap.width, bitmap.height));
  const canvas = new OffscreenCanvas(
    Math.round(bitmap.width * scale),
    Math.round(bitmap.height * scale),
  );
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
  return new Uint8Array(await blob.arrayBuffer());
}

/** An object URL of the file and its natural size, once decoded. */
async function knownImage(file: File): Promise<KnownImage> {
  const url = URL.createObjectURL(file);
  const image = new Image();
  image.src = url;
  await image.decode().catch(() => undefined);
  return { url, width: image.naturalWidth || 1, height: image.naturalHeight || 1 };
}

const shortId = (id: string | undefined) => (id ? id.slice(0, 8) : '–');

function faceTable(details: readonly FaceDetail[], withAttributes: boolean): HTMLElement {
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

function renderDetect(panel: HTMLElement) {
  const all = h('input', { type: 'checkbox', id: 'detect-all' });
  const result = h('div', { class: 'result', 'data-testid': 'detect-result' });
  const run = async (files: File[]) => {
    const file = files[0];
    const attributes = all.checked ? ['ALL'] : ['DEFAULT'];
    render(result, h('p', { class: 'hint' }, `Detecting faces in ${file.name}…`));
    const [bytes, image] = await Promise.all([imageBytes(file), knownImage(file)]);
    const output = await call(() =>
      state.client.send(
        new DetectFacesCommand({ Image: { Bytes: bytes }, Attributes: attributes as ['ALL'] }),
      ),
    );
    if (!output) return render(result);
    const details = output.FaceDetails ?? [];
    render(
      result,
      h(
        'p',
        { class: 'summary' },
        `${file.name}: ${details.length} face${details.length === 1 ? '' : 's'}`,
      ),
      imageView(
        image.url,
        details.map((face, i) => ({
          box: face.BoundingBox,
          label: `#${i + 1}${face.AgeRange ? ` ${face.AgeRange.Low}–${face.AgeRange.High}` : ''}${face.Gender ? ` ${face.Gender.Value?.[0]}` : ''}`,
          landmarks: face.Landmarks,
        })),
        file.name,
      ),
      details.length > 0 && faceTable(details, all.checked),
    );
  };
  render(
    panel,
    h('p', { class: 'intro' }, 'DetectFaces: boxes, landmarks and attributes of every face.'),
    dropZone('detect-file', 'Drop a photo here, or click to choose one', false, run),
    h('label', { class: 'check' }, all, ' All attributes (Attributes: ["ALL"])'),
    result,
  );
}

function renderIndex(panel: HTMLElement, collection: string) {
  const results = h('div', { class: 'result', 'data-testid': 'index-result' });
  const run = async (files: File[]) => {
    for (const file of files) {
      const externalImageId = externalImageIdOf(file.webkitRelativePath || file.name);
      const card = h('div', { class: 'card' }, `Indexing ${file.name}…`);
      results.append(card);
      const [bytes, image] = await Promise.all([imageBytes(file), knownImage(file)]);
      const output = await call(() =>
        state.client.send(
          new IndexFacesCommand({
            CollectionId: collection,
            Image: { Bytes: bytes },
            ExternalImageId: externalImageId,
          }),
        ),
      );
      if (!output) {
        card.remove();
        continue;
      }
      state.gallery.set(externalImageId, image);
      const indexed = output.FaceRecords ?? [];
      const unindexed = output.UnindexedFaces ?? [];
      render(
        card,
        h(
          'p',
          { class: 'summary' },
          `${externalImageId}: ${indexed.length} face${indexed.length === 1 ? '' : 's'} indexed`,
          unindexed.length > 0 &&
            `, ${unindexed.length} not indexed (${[...new Set(unindexed.flatMap((u) => u.Reasons ?? []))].join(', ')})`,
        ),
        imageView(
          image.url,
          [
            ...indexed.map(
              (record): Overlay => ({
                box: record.Face?.BoundingBox,
                label: shortId(record.Face?.FaceId),
                landmarks: record.FaceDetail?.Landmarks,
              }),
            ),
            ...unindexed.map(
              (u): Overlay => ({
                box: u.FaceDetail?.BoundingBox,
                tone: 'unmatched',
                label: 'not indexed',
              }),
            ),
          ],
          externalImageId,
        ),
      );
    }
    await describeCollection();
  };
  render(
    panel,
    h(
      'p',
      { class: 'intro' },
      `IndexFaces into ${collection}: every face of each photo is stored, with the file name as ExternalImageId.`,
    ),
    dropZone('index-files', 'Drop photos here, or click to choose them', true, run),
    results,
  );
}

function renderSearch(panel: HTMLElement, collection: string) {
  const threshold = h('input', {
    id: 'search-threshold',
    type: 'number',
    min: 0,
    max: 100,
    value: 80,
    class: 'narrow',
  });
  const result = h('div', { class: 'result', 'data-testid': 'search-result' });
  const run = async (files: File[]) => {
    const file = files[0];
    render(
      result,
      h('p', { class: 'hint' }, `Searching ${collection} for the face in ${file.name}…`),
    );
    const [bytes, image] = await Promise.all([imageBytes(file), knownImage(file)]);
    const output = await call(() =>
      state.client.send(
        new SearchFacesByImageCommand({
          CollectionId: collection,
          Image: { Bytes: bytes },
          FaceMatchThreshold: Number(threshold.value),
          MaxFaces: 20,
        }),
      ),
    );
    if (!output) return render(result);
    const matches = output.FaceMatches ?? [];
    render(
      result,
      h(
        'p',
        { class: 'summary' },
        `${file.name}: the largest face (confidence ${percent(output.SearchedFaceConfidence)}) matches ${matches.length} face${matches.length === 1 ? '' : 's'}`,
      ),
      h(
        'div',
        { class: 'split' },
        imageView(
          image.url,
          [{ box: output.SearchedFaceBoundingBox, tone: 'searched', label: 'searched' }],
          file.name,
        ),
        matches.length === 0
          ? h('p', { class: 'hint' }, `No face above ${threshold.value}% similarity.`)
          : h(
              'table',
              { class: 'matches' },
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  ['Similarity', 'Face', 'ExternalImageId', 'FaceId', 'UserId'].map((t) =>
                    h('th', null, t),
                  ),
                ),
              ),
              h(
                'tbody',
                null,
                matches.map((match) =>
                  faceRow(match.Face, h('td', { class: 'similarity' }, percent(match.Similarity))),
                ),
              ),
            ),
      ),
    );
  };
  render(
    panel,
    h(
      'p',
      { class: 'intro' },
      `SearchFacesByImage in ${collection}: the largest face of a photo against every indexed face.`,
    ),
    dropZone('search-file', 'Drop a photo here, or click to choose one', false, run),
    h('label', { class: 'check' }, 'Similarity threshold ', threshold, ' %'),
    result,
  );
}

/** A face of the collection as a table row; its thumbnail when the photo was indexed here. */
function faceRow(face: Face | undefined, ...leading: Child[]) {
  const known = face?.ExternalImageId ? state.gallery.get(face.ExternalImageId) : undefined;
  return h(
    'tr',
    null,
    leading,
    h('td', null, known && face?.BoundingBox ? faceThumbnail(known, face.BoundingBox) : ''),
    h('td', { class: 'external-id' }, face?.ExternalImageId ?? '–'),
    h('td', { class: 'mono small', title: face?.FaceId }, face?.FaceId ?? '–'),
    h('td', null, face?.UserId ?? ''),
  );
}

async function loadUsers(collection: string): Promise<User[] | undefined> {
  const users: User[] = [];
  const done = await call(async () => {
    let NextToken: string | undefined;
    do {
      const page = await state.client.send(
        new ListUsersCommand({ CollectionId: collection, NextToken }),
      );
      users.push(...(page.Users ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return true;
  });
  if (!done) return undefined;
  state.users = users;
  return users;
}

async function renderFaces(panel: HTMLElement, collection: string) {
  render(panel, h('p', { class: 'hint' }, 'Loading faces…'));
  const users = (await loadUsers(collection)) ?? [];
  const rows = h('tbody');
  const selected = () =>
    [...rows.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map(
      (box) => box.value,
    );
  let nextToken: string | undefined;
  const more = h('button', { type: 'button', class: 'quiet', hidden: true }, 'Load more');
  const loadPage = async () => {
    const page = await call(
      () =>
        state.client.send(
          new ListFacesCommand({ CollectionId: collection, MaxResults: 100, NextToken: nextToken }),
        ),
      more,
    );
    if (!page) return;
    nextToken = page.NextToken;
    more.hidden = !nextToken;
    for (const face of page.Faces ?? []) {
      rows.append(
        faceRow(
          face,
          h(
            'td',
            null,
            h('input', {
              type: 'checkbox',
              value: face.FaceId,
              'aria-label': `select face ${face.FaceId}`,
            }),
          ),
        ),
      );
    }
  };
  more.addEventListener('click', loadPage);
  const remove = h('button', { type: 'button', class: 'danger' }, 'Delete selected');
  remove.addEventListener('click', async () => {
    const faceIds = selected();
    if (faceIds.length === 0) return notice('Select faces to delete first.');
    const output = await call(
      () =>
        state.client.send(new DeleteFacesCommand({ CollectionId: collection, FaceIds: faceIds })),
      remove,
    );
    if (!output) return;
    const failed = output.UnsuccessfulFaceDeletions ?? [];
    if (failed.length > 0) {
      notice(
        `Not deleted: ${failed.map((f) => `${shortId(f.FaceId)} (${f.Reasons?.join(', ')})`).join('; ')}`,
      );
    }
    await describeCollection();
    await renderFaces(panel, collection);
  });
  const userSelect = h(
    'select',
    { id: 'associate-user', 'aria-label': 'User to associate the selected faces with' },
    users.map((user) => h('option', { value: user.UserId }, user.UserId)),
  );
  const associate = h('button', { type: 'button', disabled: users.length === 0 }, 'Associate');
  associate.addEventListener('click', async () => {
    const faceIds = selected();
    if (faceIds.length === 0) return notice('Select faces to associate first.');
    const output = await call(
      () =>
        state.client.send(
          new AssociateFacesCommand({
            CollectionId: collection,
            UserId: userSelect.value,
            FaceIds: faceIds,
          }),
        ),
      associate,
    );
    if (!output) return;
    const failed = output.UnsuccessfulFaceAssociations ?? [];
    if (failed.length > 0) {
      notice(
        `Not associated: ${failed.map((f) => `${shortId(f.FaceId)} (${f.Reasons?.join(', ')})`).join('; ')}`,
      );
    }
    await renderFaces(panel, collection);
  });
  render(
    panel,
    h('p', { class: 'intro' }, `ListFaces of ${collection}, in indexing order.`),
    h(
      'div',
      { class: 'row toolbar' },
      remove,
      h('span', { class: 'spacer' }),
      'Associate selected with user ',
      userSelect,
      associate,
      users.length === 0 && h('span', { class: 'hint' }, '(create a user in the Users tab first)'),
    ),
    h(
      'table',
      { class: 'faces-list' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['', 'Face', 'ExternalImageId', 'FaceId', 'UserId'].map((t) => h('th', null, t)),
        ),
      ),
      rows,
    ),
    more,
  );
  await loadPage();
  if (rows.childElementCount === 0) {
    rows.append(h('tr', null, h('td', { colspan: 5, class: 'hint' }, 'No faces indexed yet.')));
  }
}

async function renderUsers(panel: HTMLElement, collection: string) {
  render(panel, h('p', { class: 'hint' }, 'Loading users…'));
  const users = await loadUsers(collection);
  if (!users) return;
  const input = h('input', {
    name: 'userId',
    'aria-label': 'New user id',
    placeholder: 'new user id',
    required: true,
    maxlength: 128,
    pattern: '[a-zA-Z0-9_.\\-:]+',
  });
  const create = h('button', { type: 'submit' }, 'Create user');
  const form = h('form', { class: 'row' }, input, create);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const created = await call(
      () =>
        state.client.send(new CreateUserCommand({ CollectionId: collection, UserId: input.value })),
      create,
    );
    if (created) {
      await describeCollection();
      await renderUsers(panel, collection);
    }
  });
  const deleteButton = (userId: string) => {
    const button = h('button', { type: 'button', class: 'danger small' }, 'Delete');
    button.addEventListener('click', async () => {
      if (!window.confirm(`Delete user ${userId}? Its faces stay, without a user.`)) return;
      const deleted = await call(
        () =>
          state.client.send(new DeleteUserCommand({ CollectionId: collection, UserId: userId })),
        button,
      );
      if (deleted) {
        await describeCollection();
        await renderUsers(panel, collection);
      }
    });
    return button;
  };
  render(
    panel,
    h(
      'p',
      { class: 'intro' },
      `ListUsers of ${collection}. Associate faces with a user in the Faces tab.`,
    ),
    form,
    h(
      'table',
      { class: 'users' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['UserId', 'Status', ''].map((t) => h('th', null, t)),
        ),
      ),
      h(
        'tbody',
        null,
        users.length === 0 &&
          h('tr', null, h('td', { colspan: 3, class: 'hint' }, 'No users yet.')),
        users.map((user) =>
          h(
            'tr',
            null,
            h('td', null, user.UserId),
            h('td', null, user.UserStatus),
            h('td', null, user.UserId && deleteButton(user.UserId)),
          ),
        ),
      ),
    ),
  );
}

function renderCompare(panel: HTMLElement) {
  const files: { source?: File; target?: File } = {};
  const threshold = h('input', {
    id: 'compare-threshold',
    type: 'number',
    min: 0,
    max: 100,
    value: 80,
    class: 'narrow',
  });
  const result = h('div', { class: 'result', 'data-testid': 'compare-result' });
  const compare = h('button', { type: 'button', disabled: true }, 'Compare');
  const picked = (which: 'source' | 'target') => (chosen: File[]) => {
    files[which] = chosen[0];
    byId(`compare-${which}-name`).textContent = chosen[0].name;
    compare.disabled = !(files.source && files.target);
  };
  compare.addEventListener('click', async () => {
    const { source, target } = files;
    if (!source || !target) return;
    const [sourceBytes, targetBytes, sourceImage, targetImage] = await Promise.all([
      imageBytes(source),
      imageBytes(target),
      knownImage(source),
      knownImage(target),
    ]);
    const output = await call(
      () =>
        state.client.send(
          new CompareFacesCommand({
            SourceImage: { Bytes: sourceBytes },
            TargetImage: { Bytes: targetBytes },
            SimilarityThreshold: Number(threshold.value),
          }),
        ),
      compare,
    );
    if (!output) return;
    const matches = output.FaceMatches ?? [];
    render(
      result,
      h(
        'p',
        { class: 'summary' },
        `${matches.length} of ${matches.length + (output.UnmatchedFaces?.length ?? 0)} faces in ${target.name} match the largest face of ${source.name}`,
      ),
      h(
        'div',
        { class: 'split' },
        imageView(
          sourceImage.url,
          [{ box: output.SourceImageFace?.BoundingBox, tone: 'searched', label: 'source' }],
          source.name,
        ),
        imageView(
          targetImage.url,
          [
            ...matches.map(
              (m): Overlay => ({
                box: m.Face?.BoundingBox,
                tone: 'match',
                label: percent(m.Similarity),
                landmarks: m.Face?.Landmarks,
              }),
            ),
            ...(output.UnmatchedFaces ?? []).map(
              (face): Overlay => ({ box: face.BoundingBox, tone: 'unmatched' }),
            ),
          ],
          target.name,
        ),
      ),
    );
  });
  render(
    panel,
    h(
      'p',
      { class: 'intro' },
      'CompareFaces: the largest face of the source against every face of the target.',
    ),
    h(
      'div',
      { class: 'split' },
      h(
        'div',
        null,
        dropZone('compare-source', 'Source photo', false, picked('source')),
        h('p', { id: 'compare-source-name', class: 'hint' }),
      ),
      h(
        'div',
        null,
        dropZone('compare-target', 'Target photo', false, picked('target')),
        h('p', { id: 'compare-target-name', class: 'hint' }),
      ),
    ),
    h(
      'div',
      { class: 'row' },
      h('label', { class: 'check' }, 'Similarity threshold ', threshold, ' %'),
      compare,
    ),
    result,
  );
}

renderTab();
void refreshCollections();
