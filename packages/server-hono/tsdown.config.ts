import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts', 'src/node.ts'],
  format: 'esm',
  dts: true,
  sourcemap: true,
  clean: true,
  // `.js`, as package.json's exports and bin say (tsdown defaults to `.mjs` on platform node).
  fixedExtension: false,
});
