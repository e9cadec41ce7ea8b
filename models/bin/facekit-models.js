#!/usr/bin/env node
// `facekit-models` runs the built dist/bin.js. This file is committed so that pnpm can link the command
// in a fresh checkout, before the first build (it warns about a missing bin target otherwise).
try {
  await import('../dist/bin.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/bin.js')) {
    throw error;
  }
  console.error('facekit-models: not built yet; run pnpm build in the facekit checkout first');
  process.exit(1);
}
