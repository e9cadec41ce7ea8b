import { CreateUserCommand, DeleteUserCommand } from '@aws-sdk/client-rekognition';
import { describeCollection } from '../collections.js';
import { h, render } from '../dom.js';
import { call, session } from '../session.js';
import { loadUsers } from './faces.js';

/** Users: ListUsers, CreateUser and DeleteUser. */
export async function renderUsers(panel: HTMLElement, collection: string) {
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
        session.client.send(
          new CreateUserCommand({ CollectionId: collection, UserId: input.value }),
        ),
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
          session.client.send(new DeleteUserCommand({ CollectionId: collection, UserId: userId })),
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
