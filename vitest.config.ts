import { existsSync, readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `@facekit/source` export
// condition, so tests never depend on a stale `dist/`. No `module` condition: externalised
// dependencies are loaded by Node itself, which cannot run their extensionless `dist-es` builds.
const conditions = ['@facekit/source', 'node', 'development|production'];

const packageDirs = readdirSync('packages').map((dir) => `packages/${dir}`);
// Examples with their own tests (each runs its example as a user would).
const exampleDirs = existsSync('examples')
  ? readdirSync('examples')
      .map((dir) => `examples/${dir}`)
      .filter((dir) => existsSync(`${dir}/test`))
  : [];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    projects: [
      ...packageDirs,
      'conformance',
      'conformance/e2e',
      'models',
      'benchmarks',
      'tools/release',
      'tools/postgres',
      ...exampleDirs,
    ].map((root) => ({
      extends: true,
      test: {
        name: root.replace(/^(packages|conformance|examples|tools)\//, ''),
        root,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      },
    })),
  },
});
