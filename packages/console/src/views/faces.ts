import {
  AssociateFacesCommand,
  type AssociateFacesResponse,
  DeleteFacesCommand,
  ListFacesCommand,
  ListUsersCommand,
  type User,
} from '@aws-sdk/client-rekognition';
import { describeCollection } from '../collections.js';
import { h, render } from '../dom.js';
import { faceRow, shortId } from '../face-row.js';
import { call, notice, session } from '../session.js';

/** AssociateFaces' default `UserMatchThreshold`: how alike a face must be to the user's faces. */
const USER_MATCH_THRESHOLD = 75;

export async function loadUsers(collection: string): Promise<User[] | undefined> {
  const users: User[] = [];
  const done = await call(async () => {
    let NextToken: string | undefined;
    do {
      const page = await session.client.send(
        new ListUsersCommand({ CollectionId: collection, NextToken }),
      );
      users.push(...(page.Users ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return true;
  });
  return done ? users : undefined;
}

/** Faces: ListFaces page by page, delete faces, associate them with a user. */
export async function renderFaces(panel: HTMLElement, collection: string) {
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
        session.client.send(
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
        session.client.send(new DeleteFacesCommand({ CollectionId: collection, FaceIds: faceIds })),
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
    const userId = userSelect.value;
    const output = await call(
      () =>
        session.client.send(
          new AssociateFacesCommand({ CollectionId: collection, UserId: userId, FaceIds: faceIds }),
        ),
      associate,
    );
    if (!output) return;
    const failed = output.UnsuccessfulFaceAssociations ?? [];
    if (failed.length > 0)
      notice(`Not associated: ${failed.map((f) => refusal(f, userId)).join('; ')}`);
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

type Refusal = NonNullable<AssociateFacesResponse['UnsuccessfulFaceAssociations']>[number];

/** Why a face was not associated; for a face too unlike the user, with its score. */
function refusal(failure: Refusal, userId: string): string {
  const reasons = failure.Reasons?.join(', ') ?? '';
  if (failure.Reasons?.includes('LOW_MATCH_CONFIDENCE') && failure.Confidence !== undefined) {
    return `${shortId(failure.FaceId)} (${reasons}: ${failure.Confidence.toFixed(1)}% similar to ${userId}'s faces, below the ${USER_MATCH_THRESHOLD}% UserMatchThreshold)`;
  }
  return `${shortId(failure.FaceId)} (${reasons}${failure.UserId ? `, user ${failure.UserId}` : ''})`;
}
