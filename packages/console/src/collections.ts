import {
  CreateCollectionCommand,
  DeleteCollectionCommand,
  DescribeCollectionCommand,
  ListCollectionsCommand,
} from '@aws-sdk/client-rekognition';
import { byId, h, render } from './dom.js';
import { call, session } from './session.js';

/** The collection the Index, Search, Faces and Users tabs work on. */
export const selection = {
  collection: undefined as string | undefined,
};

let onChange: () => void = () => undefined;

/** Wires the sidebar; `changed` runs whenever another collection (or none) is selected. */
export function mountCollections(changed: () => void) {
  onChange = changed;
  byId('create-collection').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const input = form.elements.namedItem('collectionId') as HTMLInputElement;
    const id = input.value.trim();
    const created = await call(
      () => session.client.send(new CreateCollectionCommand({ CollectionId: id })),
      form.querySelector('button') ?? undefined,
    );
    if (!created) return;
    input.value = '';
    await selectCollection(id);
  });
}

export async function refreshCollections() {
  const ids: string[] = [];
  const done = await call(async () => {
    let NextToken: string | undefined;
    do {
      const page = await session.client.send(new ListCollectionsCommand({ NextToken }));
      ids.push(...(page.CollectionIds ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return true;
  });
  if (!done) return;
  if (selection.collection && !ids.includes(selection.collection)) selection.collection = undefined;
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
            class: id === selection.collection ? 'collection selected' : 'collection',
            'aria-pressed': String(id === selection.collection),
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
  selection.collection = id;
  await refreshCollections();
  onChange();
}

/** Forgets the selection and empties the sidebar (after "Forget keys"). */
export function clearCollections() {
  selection.collection = undefined;
  render(byId('collection-list'));
  render(byId('collection-info'));
}

export async function describeCollection() {
  const info = byId('collection-info');
  const id = selection.collection;
  if (!id) {
    render(info, h('p', { class: 'hint' }, 'Select a collection to index, search and browse.'));
    return;
  }
  const described = await call(() =>
    session.client.send(new DescribeCollectionCommand({ CollectionId: id })),
  );
  if (!described) return;
  const remove = h('button', { type: 'button', class: 'danger' }, 'Delete collection');
  remove.addEventListener('click', async () => {
    if (!window.confirm(`Delete collection ${id} and all its faces and users?`)) return;
    const deleted = await call(
      () => session.client.send(new DeleteCollectionCommand({ CollectionId: id })),
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
