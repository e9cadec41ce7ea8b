#!/usr/bin/env node
/**
 * `facekit-models build [ids...] [--dir <dir>]`: produces the models (all, or the ids given) from
 * their pinned npm packages ahead of first use, e.g. in a Dockerfile; files already there are
 * only verified. `facekit-models list` prints the manifest's ids, sources and licences.
 */
import { parseArgs } from 'node:util';
import { loadManifest } from './load-manifest.js';
import { loadModel } from './load-model.js';
import { modelsDir } from './models-dir.js';

const usage = `Usage: facekit-models build [ids...] [--dir <dir>]   build (or verify) the models
       facekit-models list                               the models, their sources and licences
The directory defaults to FACEKIT_MODELS_DIR or the package's dist/.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...ids] = positionals;
  const manifest = loadManifest();
  if (values.help || !command) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  if (command === 'list') {
    for (const e of manifest) console.log(`${e.id}\t${e.task}\t${e.source.package}\t${e.license}`);
    return 0;
  }
  if (command !== 'build') {
    console.error(`facekit-models: unknown command ${command}\n${usage}`);
    return 2;
  }
  const dir = values.dir ?? modelsDir();
  for (const id of ids.length > 0 ? ids : manifest.map((e) => e.id)) {
    const { entry } = await loadModel(id, dir, { build: true });
    console.log(`${entry.id}: ok (${entry.bytes} bytes, sha256 ${entry.sha256.slice(0, 12)}…)`);
  }
  console.log(`models in ${dir}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`facekit-models: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
