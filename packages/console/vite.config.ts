import { defineConfig } from 'vite';

// Relative asset URLs: the server mounts the files under /console/.
export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No source maps shipped to the browsers of a production server.
    sourcemap: false,
  },
});
