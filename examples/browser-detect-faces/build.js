// Bundles the page with esbuild into dist/: index.html and main.js. The models and
// onnxruntime-web's wasm are served beside it by server.js (see README.md).
import { copyFile, mkdir } from 'node:fs/promises';
import { build } from 'esbuild';

/** @param {string} path */
const here = (path) => new URL(path, import.meta.url);
await mkdir(here('dist'), { recursive: true });
await build({
  entryPoints: [here('src/main.ts').pathname],
  outfile: here('dist/main.js').pathname,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
await copyFile(here('index.html'), here('dist/index.html'));
