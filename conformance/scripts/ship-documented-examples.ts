// Copies the face operations' documented examples (botocore examples-1.json and the Smithy
// model's example traits, both Apache-2.0) into fixtures/, so facekit-conformance replays them
// without the spec files. Run: FACEKIT_SPEC_DIR=../shared/spec pnpm --filter @facekit/conformance examples
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadDocumentedExamples } from '../src/api/documented-examples.ts';

const specDir =
  process.env.FACEKIT_SPEC_DIR ?? resolve(import.meta.dirname, '../../../shared/spec');
const examples = loadDocumentedExamples(specDir);
const out = resolve(import.meta.dirname, '../fixtures/documented-examples.json');
writeFileSync(out, `${JSON.stringify(examples, null, 2)}\n`);
console.log(`${examples.length} examples from ${specDir} written to ${out}`);
