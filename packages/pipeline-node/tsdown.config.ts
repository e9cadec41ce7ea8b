import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts'],
  format: 'esm',
  // Emit .js/.d.ts, which the package.json exports point at.
  fixedExtension: false,
  dts: true,
  sourcemap: true,
  clean: true,
});
