import { RekognitionClient } from '@aws-sdk/client-rekognition';

/** What the console signs its requests with. */
export interface ConsoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

const STORAGE_KEY = 'facekit.console.credentials';

/**
 * Used until the server asks for real keys: with authentication off any credentials work, so the
 * console starts without a sign-in step.
 */
export const anonymousCredentials: Readonly<ConsoleCredentials> = Object.freeze({
  accessKeyId: 'facekit-console',
  secretAccessKey: 'facekit-console',
  region: 'us-east-1',
});

/** The failures of a request without a valid signature (the AWS JSON "Coral" codes). */
const AUTH_ERRORS: ReadonlySet<string> = new Set([
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'InvalidSignatureException',
  'UnrecognizedClientException',
]);

export function isAuthError(error: unknown): boolean {
  return error instanceof Error && AUTH_ERRORS.has(error.name);
}

/**
 * Keys typed into the console live in sessionStorage: gone when the tab closes, never sent
 * anywhere but as SigV4 signatures.
 */
export function loadCredentials(storage: Storage = sessionStorage): ConsoleCredentials | undefined {
  try {
    const value = JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null') as ConsoleCredentials | null;
    return value && typeof value.accessKeyId === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function saveCredentials(
  credentials: ConsoleCredentials,
  storage: Storage = sessionStorage,
) {
  storage.setItem(STORAGE_KEY, JSON.stringify(credentials));
}

export function forgetCredentials(storage: Storage = sessionStorage) {
  storage.removeItem(STORAGE_KEY);
}

/**
 * The AWS SDK's own client, pointed at the server that serves the console: the API is at the
 * root of the same origin (`POST /` with `X-Amz-Target`), so no CORS is involved.
 */
export function createClient(credentials: ConsoleCredentials, endpoint: string): RekognitionClient {
  return new RekognitionClient({
    endpoint,
    region: credentials.region,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
    },
    // A console shows failures at once; retrying a refused signature only delays the dialog.
    maxAttempts: 1,
  });
}
