// A static server for the page, on node:http: the built page from dist/, the ONNX models from
// the models package's build output at /models/ and onnxruntime-web's wasm at /ort/. Nothing else.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** URL prefix → directory. */
export const servedDirectories = {
  '/models/': join(dirname(require.resolve('@facekit/models/package.json')), 'dist'),
  // onnxruntime-web exports no package.json; its wasm entry lives in the dist/ folder served.
  '/ort/': dirname(fileURLToPath(import.meta.resolve('onnxruntime-web/wasm'))),
  '/': join(here, 'dist'),
};

/** @type {Record<string, string>} */
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
};

/**
 * The file a URL path names, or undefined: only below the served directories.
 * @param {string} path
 */
async function resolveFile(path) {
  for (const [prefix, root] of Object.entries(servedDirectories)) {
    if (!path.startsWith(prefix)) continue;
    const file = normalize(join(root, path.slice(prefix.length) || 'index.html'));
    if (!file.startsWith(root + sep)) return undefined;
    const info = await stat(file).catch(() => undefined);
    return info?.isFile() ? { file, size: info.size } : undefined;
  }
  return undefined;
}

/**
 * Starts the server on 127.0.0.1.
 * @param {{ port?: number }} [options] `port` 0 picks a free one; default 8081.
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function startServer({ port = 8081 } = {}) {
  const server = createServer(async (request, response) => {
    const found = await resolveFile(
      decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname),
    );
    if (!found) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, {
      'content-type': types[extname(found.file)] ?? 'application/octet-stream',
      'content-length': found.size,
      'cache-control': 'no-cache',
    });
    createReadStream(found.file).pipe(response);
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}/`;
  return {
    url,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await startServer({ port: Number(process.env.PORT ?? 8081) });
  console.log(`facekit in the browser: open ${url}`);
}
