import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeDocumentedExamples } from '@facekit/conformance/api';
import { createMemoryFaceStore } from '@facekit/storage-memory';
import { describe, it } from 'vitest';
import { coreServiceHarness, sdkServerHarness } from './harnesses.js';

// The AWS documentation's examples live next to the repository, in ../shared/spec.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const specDir = process.env.FACEKIT_SPEC_DIR ?? resolve(repoRoot, '../shared/spec');

if (existsSync(specDir)) {
  describeDocumentedExamples(
    'core service, memory store',
    () => coreServiceHarness(createMemoryFaceStore()),
    specDir,
  );
  describeDocumentedExamples(
    'AWS SDK → HTTP server, memory store',
    () => sdkServerHarness(createMemoryFaceStore()),
    specDir,
  );
} else {
  describe.skip('documented examples (skipped: ../shared/spec not found; set FACEKIT_SPEC_DIR)', () => {
    it(`looked in ${specDir}`, () => {});
  });
}
