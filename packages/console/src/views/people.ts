import {
  AssociateFacesCommand,
  CreateUserCommand,
  type Face,
  ListFacesCommand,
} from '@aws-sdk/client-rekognition';
import { describeCollection } from '../collections.js';
import { h, render } from '../dom.js';
import { type ClusterFacesOutput, callExtension } from '../extensions.js';
import { pictureOf } from '../face-pictures.js';
import { shortId } from '../face-row.js';
import { faceThumbnail } from '../image-view.js';
import { call, session } from '../session.js';
import { separationsList } from './separations.js';

type Cluster = ClusterFacesOutput['Clusters'][number];

/**
 * People: facekit's ClusterFaces groups the faces without a user into candidate people. Name a
 * cluster (CreateUser + AssociateFaces), merge clusters (name them alike), split off selected
 * faces or refuse one face ("not this person", SeparateFaces), and take a refusal back.
 */
export async function renderPeople(panel: HTMLElement, collection: string) {
  const threshold = h('input', {
    name: 'threshold',
    type: 'number',
    min: 0,
    max: 100,
    step: 1,
    value: '85',
    'aria-label': 'Similarity threshold',
  });
  const find = h('button', { type: 'submit' }, 'Find people');
  const form = h('form', { class: 'row' }, h('label', null, 'Similarity ≥ ', threshold), find);
  const results = h('div', { 'data-testid': 'people-result' });
  const run = async () => {
    const output = await call(
      () =>
        callExtension<ClusterFacesOutput>('ClusterFaces', {
          CollectionId: collection,
          SimilarityThreshold: Number(threshold.value),
        }),
      find,
    );
    if (!output) return;
    const faces = (await loadFaces(collection)) ?? new Map<string, Face>();
    renderClusters(results, collection, output, faces, run);
    const decisions = await separationsList(collection, faces, run);
    if (decisions) results.append(decisions);
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run();
  });
  render(
    panel,
    h(
      'p',
      { class: 'intro' },
      `ClusterFaces (a facekit extension) on the faces of ${collection} without a user. New faces of a user come under its name.`,
    ),
    form,
    results,
  );
  await run();
}

function renderClusters(
  results: HTMLElement,
  collection: string,
  output: ClusterFacesOutput,
  faces: ReadonlyMap<string, Face>,
  again: () => Promise<void>,
) {
  const merge = h('button', { type: 'button' }, 'Merge selected');
  const mergeName = h('input', {
    'aria-label': 'Name for merged clusters',
    placeholder: 'user id',
    pattern: '[a-zA-Z0-9_.\\-:]+',
  });
  const cards = output.Clusters.map((cluster, i) =>
    clusterCard(cluster, i, collection, faces, again),
  );
  merge.addEventListener('click', async () => {
    const chosen = cards.filter((c) => c.selected()).map((c) => c.cluster);
    if (chosen.length < 2 || !mergeName.value) return;
    if (
      await name(
        collection,
        mergeName.value,
        chosen.flatMap((c) => c.FaceIds),
        merge,
      )
    ) {
      await again();
    }
  });
  render(
    results,
    h(
      'p',
      { class: 'summary' },
      `${output.ClusterCount} candidate people among ${output.FaceCount} faces without a user (${output.UnclusteredFaceCount} alone) at Similarity ≥ ${output.SimilarityThreshold}.`,
    ),
    output.Clusters.length > 1 && h('div', { class: 'row' }, mergeName, merge),
    cards.map((c) => c.element),
  );
}

function clusterCard(
  cluster: Cluster,
  index: number,
  collection: string,
  faces: ReadonlyMap<string, Face>,
  again: () => Promise<void>,
) {
  const title = cluster.UserId
    ? `${cluster.UserId}: ${cluster.FaceIds.length} new of ${cluster.FaceIds.length + (cluster.UserFaceCount ?? 0)} faces`
    : `Person ${index + 1}: ${cluster.FaceIds.length} faces`;
  const pick = h('input', { type: 'checkbox', 'aria-label': `select cluster ${index + 1}` });
  const faceList = h('ul', { class: 'cluster-faces' });
  const checks: HTMLInputElement[] = [];
  for (const faceId of cluster.FaceIds) {
    const face = faces.get(faceId);
    const check = h('input', {
      type: 'checkbox',
      value: faceId,
      'aria-label': `select face ${faceId}`,
    });
    checks.push(check);
    const refuse = h(
      'button',
      { type: 'button', class: 'small', 'aria-label': `not this person: ${faceId}` },
      'Not this person',
    );
    refuse.addEventListener('click', async () => {
      if (await separate(collection, [faceId], cluster, refuse)) await again();
    });
    const slot = h('span', { class: 'thumb-slot' });
    const box = face?.BoundingBox;
    if (box) {
      void pictureOf(face?.ImageId).then((picture) => {
        if (picture) slot.append(faceThumbnail(picture, box, 72));
      });
    }
    faceList.append(
      h(
        'li',
        { title: faceId },
        check,
        slot,
        h('span', { class: 'small' }, face?.ExternalImageId ?? shortId(faceId)),
        refuse,
      ),
    );
  }
  const nameInput = h('input', {
    'aria-label': `Name for cluster ${index + 1}`,
    placeholder: 'user id',
    value: cluster.UserId ?? '',
    pattern: '[a-zA-Z0-9_.\\-:]+',
  });
  const nameButton = h('button', { type: 'button' }, cluster.UserId ? 'Add to user' : 'Name');
  nameButton.addEventListener('click', async () => {
    if (!nameInput.value) return;
    if (await name(collection, nameInput.value, cluster.FaceIds, nameButton)) await again();
  });
  const split = h('button', { type: 'button' }, 'Split off selected');
  split.addEventListener('click', async () => {
    const chosen = checks.filter((c) => c.checked).map((c) => c.value);
    if (chosen.length === 0) return;
    if (await separate(collection, chosen, cluster, split)) await again();
  });
  const element = h(
    'section',
    { class: 'card cluster', 'data-testid': 'cluster' },
    h(
      'h3',
      null,
      pick,
      ` ${title}`,
      h('span', { class: 'similarity small' }, ` Similarity ${cluster.Similarity.toFixed(1)}`),
    ),
    faceList,
    h('div', { class: 'row' }, nameInput, nameButton, split),
  );
  return { element, cluster, selected: () => pick.checked };
}

/** CreateUser (unless it exists) + AssociateFaces: what naming a cluster is in Rekognition. */
async function name(
  collection: string,
  userId: string,
  faceIds: readonly string[],
  button: HTMLButtonElement,
): Promise<boolean> {
  const done = await call(async () => {
    try {
      await session.client.send(
        new CreateUserCommand({ CollectionId: collection, UserId: userId }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConflictException') throw error;
    }
    // Clusters hold up to 4096 faces; AssociateFaces takes 100 at a time.
    for (let start = 0; start < faceIds.length; start += 100) {
      await session.client.send(
        new AssociateFacesCommand({
          CollectionId: collection,
          UserId: userId,
          FaceIds: faceIds.slice(start, start + 100),
          UserMatchThreshold: 0,
        }),
      );
    }
    return true;
  }, button);
  if (done) await describeCollection();
  return done === true;
}

/** "Not this person": the faces are not the cluster's user, or not its other faces. */
async function separate(
  collection: string,
  faceIds: string[],
  cluster: Cluster,
  button: HTMLButtonElement,
): Promise<boolean> {
  const others = cluster.FaceIds.filter((id) => !faceIds.includes(id));
  if (!cluster.UserId && others.length === 0) return false;
  const done = await call(
    () =>
      callExtension('SeparateFaces', {
        CollectionId: collection,
        FaceIds: faceIds,
        ...(cluster.UserId ? { UserId: cluster.UserId } : { OtherFaceIds: others }),
      }),
    button,
  );
  return done !== undefined;
}

/** Every face of the collection by FaceId (ListFaces page by page), for thumbnails and names. */
async function loadFaces(collection: string): Promise<Map<string, Face> | undefined> {
  const faces = new Map<string, Face>();
  const done = await call(async () => {
    let NextToken: string | undefined;
    do {
      const page = await session.client.send(
        new ListFacesCommand({ CollectionId: collection, MaxResults: 1000, NextToken }),
      );
      for (const face of page.Faces ?? []) if (face.FaceId) faces.set(face.FaceId, face);
      NextToken = page.NextToken;
    } while (NextToken);
    return true;
  });
  return done ? faces : undefined;
}
