import { InvalidPaginationTokenException } from '../errors/exceptions.js';

const CURSOR = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * NextToken = base64url("<context hash>.<store cursor>"). The context hash binds a token to the
 * listing it came from (operation, collection, filters): replaying it elsewhere is
 * `InvalidPaginationTokenException`, as with Rekognition. Tokens stay far below the 255-char limit.
 */
export function encodePaginationToken(context: string, cursor: string): string {
  if (!CURSOR.test(cursor)) throw new Error(`store returned an unusable cursor: ${cursor}`);
  return base64UrlEncode(`${contextHash(context)}.${cursor}`);
}

/** The store cursor inside `token`. @throws {InvalidPaginationTokenException} */
export function decodePaginationToken(context: string, token: string): string {
  let plain: string;
  try {
    plain = base64UrlDecode(token);
  } catch {
    throw invalidToken();
  }
  const dot = plain.indexOf('.');
  const cursor = plain.slice(dot + 1);
  if (dot < 0 || plain.slice(0, dot) !== contextHash(context) || !CURSOR.test(cursor)) {
    throw invalidToken();
  }
  return cursor;
}

function invalidToken(): InvalidPaginationTokenException {
  return new InvalidPaginationTokenException('Invalid Pagination Token');
}

/** FNV-1a, 32 bits, as 8 hex digits: enough to tell listings apart, not a security measure. */
function contextHash(context: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < context.length; i++) {
    hash ^= context.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

function base64UrlEncode(text: string): string {
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function base64UrlDecode(token: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(token)) throw new Error('not base64url');
  const padded = token.replace(/-/g, '+').replace(/_/g, '/');
  return atob(padded + '='.repeat((4 - (padded.length % 4)) % 4));
}
