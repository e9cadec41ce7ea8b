import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts', 'src/storage/index.ts', 'src/api/index.ts'],
  format: 'esm',
  dts: true,
  sourcemap: true,
  clean: true,
});
