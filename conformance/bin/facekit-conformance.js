#!/usr/bin/env node
// `facekit-conformance` runs the built dist/tool/bin.js. This file is committed so that pnpm can link the command
// in a fresh checkout, before the first build (it warns about a missing bin target otherwise).
try {
  await import('../dist/tool/bin.js');
} catch (error) {
  if (
    error?.code !== 'ERR_MODULE_NOT_FOUND' ||
    !String(error.message).includes('dist/tool/bin.js')
  ) {
    throw error;
  }
  console.error('facekit-conformance: not built yet; run pnpm build in the facekit checkout first');
  process.exit(1);
}
