import { defineConfig } from 'tsdown';

export default defineConfig({
  // One entry per runtime: each imports only its own onnxruntime package (STYLE §4).
  entry: ['src/node.ts', 'src/web.ts'],
  format: 'esm',
  // Emit .js/.d.ts, which the package.json exports point at.
  fixedExtension: false,
  dts: true,
  sourcemap: true,
  clean: true,
});
