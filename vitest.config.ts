import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { defaultServerConditions as viteServerConditions } from 'vite';

// Workspace packages resolve to their TypeScript sources through the `@facekit/source` export
// condition, so tests never depend on a stale `dist/`.
const conditions = ['@facekit/source', ...viteServerConditions];

const packageDirs = readdirSync('packages').map((dir) => `packages/${dir}`);

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    projects: [...packageDirs, 'conformance'].map((root) => ({
      extends: true,
      test: {
        name: root.replace(/^packages\//, ''),
        root,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      },
    })),
  },
});
