import { describe, expect, it } from 'vitest';
import type { ConsoleOptions, StaticFile } from '../src/index.js';
import { call, expectAwsError, makeApp } from './helpers.js';

const files: ConsoleOptions['files'] = new Map<string, StaticFile>([
  [
    'index.html',
    { body: '<!doctype html><title>console</title>', contentType: 'text/html; charset=utf-8' },
  ],
  [
    'assets/index-abc123.js',
    {
      body: new TextEncoder().encode('console.log(1)'),
      contentType: 'text/javascript; charset=utf-8',
    },
  ],
]);
const console = { files };
const KEY = {
  accessKeyId: 'AKIACONSOLE000000001',
  secretAccessKey: 'secret',
  accountId: '111111111111',
};

describe('web console routes', () => {
  it('serves index.html at /console/ with a strict content security policy', async () => {
    const response = await makeApp({ console }).request('/console/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe('<!doctype html><title>console</title>');
  });

  it('redirects /console to /console/, whose relative asset URLs need the slash', async () => {
    const response = await makeApp({ console }).request('/console');
    expect(response.status).toBe(308);
    expect(response.headers.get('location')).toBe('/console/');
  });

  it('serves hashed assets with a long cache life, and HEAD without a body', async () => {
    const app = makeApp({ console });
    const response = await app.request('/console/assets/index-abc123.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toContain('immutable');
    expect(await response.text()).toBe('console.log(1)');
    const head = await app.request('/console/assets/index-abc123.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers 404 for files it does not have, whatever the path', async () => {
    const app = makeApp({ console });
    for (const path of ['/console/missing.js', '/console/..%2Fpackage.json', '/console/assets/']) {
      const response = await app.request(path);
      expect(response.status, path).toBe(404);
    }
  });

  it('leaves the API as it was: other GETs are 405, POST dispatches operations', async () => {
    const app = makeApp({ console });
    await expectAwsError(
      await app.request('/', { method: 'GET' }),
      405,
      'UnknownOperationException',
    );
    await expectAwsError(
      await app.request('/consoles', { method: 'GET' }),
      405,
      'UnknownOperationException',
    );
    const listed = await call(app, 'ListCollections');
    expect(listed.status).toBe(200);
  });

  it('without the option, GET /console is a 405 like any other GET', async () => {
    const response = await makeApp().request('/console/');
    await expectAwsError(response, 405, 'UnknownOperationException');
  });

  it('with SigV4 on, the files are public but API calls still need a signature', async () => {
    const app = makeApp({ console, auth: { mode: 'sigv4', accessKeys: [KEY] } });
    expect((await app.request('/console/')).status).toBe(200);
    await expectAwsError(
      await call(app, 'ListCollections'),
      400,
      'MissingAuthenticationTokenException',
    );
    // A POST under /console is an API call like any other, not a way around authentication.
    const posted = await app.request('/console/', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'RekognitionService.ListCollections',
      },
      body: '{}',
    });
    await expectAwsError(posted, 400, 'MissingAuthenticationTokenException');
  });

  it('refuses a console without index.html', () => {
    expect(() => makeApp({ console: { files: new Map() } })).toThrow(/index\.html/);
  });
});
