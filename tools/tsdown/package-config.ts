import { defineConfig, type UserConfig } from 'tsdown';

/**
 * The build every workspace package shares: ESM with declarations and source maps, written as
 * `.js`/`.d.ts` (tsdown defaults to `.mjs` on platform node), which the `exports` maps point at.
 */
export function packageConfig(entry: string[], overrides: UserConfig = {}): UserConfig {
  return defineConfig({
    entry,
    format: 'esm',
    fixedExtension: false,
    dts: true,
    sourcemap: true,
    clean: true,
    ...overrides,
  });
}
