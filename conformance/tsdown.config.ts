import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts', 'src/storage/index.ts', 'src/api/index.ts'],
  format: 'esm',
  // Emit .js/.d.ts, which the package.json exports point at.
  fixedExtension: false,
  dts: true,
  sourcemap: true,
  clean: true,
});
