import type { Hono } from 'hono';
import type { AppEnv } from './aws-json.js';

/** One static file of the web console. */
export interface StaticFile {
  readonly body: Uint8Array | string;
  /** Media type, e.g. `text/html; charset=utf-8`. */
  readonly contentType: string;
}

/**
 * The web console (`@facekit/console`'s build output), passed in as data so that the app needs no
 * file system: `facekit serve --console` reads the files on Node, Bun or Deno and hands them over.
 */
export interface ConsoleOptions {
  /** Files by their path below {@link CONSOLE_PATH}, e.g. `index.html`, `assets/index-1a2b.js`. */
  readonly files: ReadonlyMap<string, StaticFile>;
}

/** Where the console is served. */
export const CONSOLE_PATH = '/console';

/**
 * The console runs only its own script and talks only to this origin: a script injected through
 * a face's ExternalImageId or a user id could not run, nor send the keys elsewhere. Photos are
 * shown from `blob:` URLs of the files the user picked.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `GET /console/<path>`: the console's files, public (they hold no data; every API call the
 * console makes is authenticated like any other client's). Asset names carry a content hash, so
 * they are cached for good; `index.html` is revalidated on every load.
 */
export function mountConsole(app: Hono<AppEnv>, options: ConsoleOptions): void {
  const { files } = options;
  if (!files.has('index.html')) {
    throw new TypeError('createApp: console.files must contain index.html');
  }
  const serveFile = (path: string) => {
    const file = files.get(path);
    if (!file) return new Response('Not found', { status: 404, headers: securityHeaders() });
    const body = typeof file.body === 'string' ? file.body : new Uint8Array(file.body);
    return new Response(body, {
      status: 200,
      headers: {
        ...securityHeaders(),
        'Content-Type': file.contentType,
        'Cache-Control': path.startsWith('assets/')
          ? 'public, max-age=31536000, immutable'
          : 'no-cache',
      },
    });
  };
  // The trailing slash matters: the page loads its assets by relative URLs.
  app.get(CONSOLE_PATH, (c) => c.redirect(`${CONSOLE_PATH}/`, 308));
  app.get(`${CONSOLE_PATH}/`, () => serveFile('index.html'));
  app.get(`${CONSOLE_PATH}/*`, (c) => serveFile(c.req.path.slice(CONSOLE_PATH.length + 1)));
}

function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  };
}

/** Whether a request is for the console's files (logged at debug level, like health checks). */
export function isConsoleRequest(method: string, path: string): boolean {
  return (
    (method === 'GET' || method === 'HEAD') &&
    (path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`))
  );
}
