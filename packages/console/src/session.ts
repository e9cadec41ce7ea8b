import type { RekognitionClient } from '@aws-sdk/client-rekognition';
import {
  anonymousCredentials,
  type ConsoleCredentials,
  createClient,
  forgetCredentials,
  isAuthError,
  loadCredentials,
  saveCredentials,
} from './connection.js';
import { byId, h, render } from './dom.js';

/** Who the console signs as, and the client that signs with it. */
export const session = {
  credentials: loadCredentials() ?? { ...anonymousCredentials },
  client: undefined as unknown as RekognitionClient,
};
session.client = createClient(session.credentials, window.location.origin);

/** The outcome of one API call: its output, or the message shown for its failure. */
export type Attempt<T> =
  | { ok: true; value: T }
  | { ok: false; message: string; authentication: boolean };

/**
 * Runs one API call with the button disabled. An authentication failure opens the key dialog;
 * any other failure is returned, for the caller to show where it belongs.
 */
export async function attempt<T>(
  run: () => Promise<T>,
  button?: HTMLButtonElement,
): Promise<Attempt<T>> {
  if (button) button.disabled = true;
  document.body.classList.add('busy');
  try {
    const value = await run();
    showConnection(true);
    return { ok: true, value };
  } catch (error) {
    const authentication = isAuthError(error);
    if (authentication) {
      showConnection(false);
      openSignIn((error as Error).message);
    }
    return { ok: false, message: errorText(error), authentication };
  } finally {
    if (button) button.disabled = false;
    document.body.classList.remove('busy');
  }
}

/** {@link attempt}, with any failure other than authentication shown in the notice bar. */
export async function call<T>(
  run: () => Promise<T>,
  button?: HTMLButtonElement,
): Promise<T | undefined> {
  const outcome = await attempt(run, button);
  if (outcome.ok) return outcome.value;
  if (!outcome.authentication) notice(outcome.message);
  return undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function notice(message: string | undefined) {
  const element = byId('notice');
  element.hidden = message === undefined;
  render(
    element,
    message,
    h('button', { type: 'button', class: 'quiet', onclick: () => notice(undefined) }, 'Dismiss'),
  );
}

function showConnection(ok: boolean) {
  const signedIn = session.credentials.accessKeyId !== anonymousCredentials.accessKeyId;
  byId('connection').textContent = ok
    ? signedIn
      ? `connected as ${session.credentials.accessKeyId}`
      : 'connected'
    : 'access keys needed';
}

function openSignIn(reason?: string) {
  const dialog = byId<HTMLDialogElement>('sign-in');
  // The first refusal (of the placeholder keys) needs no server message: the text explains it.
  const ownKeys = session.credentials.accessKeyId !== anonymousCredentials.accessKeyId;
  if (reason && ownKeys) {
    byId('sign-in-reason').textContent = `The server refused these keys: ${reason}`;
  }
  if (!dialog.open) dialog.showModal();
}

function useCredentials(credentials: ConsoleCredentials) {
  session.credentials = credentials;
  session.client = createClient(credentials, window.location.origin);
}

/**
 * Wires the key dialog. `onSignIn` reloads what the new keys may see (told whether they are
 * another key than before); `onForget` must remove everything the old keys showed before
 * anything is asked with the placeholder keys.
 */
export function mountSignIn(handlers: {
  onSignIn: (otherKey: boolean) => void;
  onForget: () => void;
}) {
  byId('keys-button').addEventListener('click', () => openSignIn());
  byId('sign-in-form').addEventListener('submit', (event) => {
    const form = new FormData(event.target as HTMLFormElement);
    const credentials: ConsoleCredentials = {
      accessKeyId: String(form.get('accessKeyId')).trim(),
      secretAccessKey: String(form.get('secretAccessKey')),
      region: String(form.get('region')).trim() || 'us-east-1',
    };
    const otherKey = credentials.accessKeyId !== session.credentials.accessKeyId;
    saveCredentials(credentials);
    useCredentials(credentials);
    handlers.onSignIn(otherKey);
  });
  byId('sign-out').addEventListener('click', () => {
    forgetCredentials();
    useCredentials({ ...anonymousCredentials });
    const form = byId<HTMLFormElement>('sign-in-form');
    form.reset();
    byId<HTMLDialogElement>('sign-in').close();
    notice(undefined);
    showConnection(false);
    handlers.onForget();
  });
}
