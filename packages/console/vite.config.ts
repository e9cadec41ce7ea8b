import { defineConfig } from 'vite';

// Relative asset URLs: the server mounts the files under /console/, a dev server at /.
export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small JS file and one CSS file; no source maps shipped to browsers of a server.
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    // `pnpm --filter @facekit/console dev` next to a running `facekit serve`: API calls go there.
    proxy: { '/api': { target: 'http://127.0.0.1:8080', rewrite: () => '/' } },
  },
});
