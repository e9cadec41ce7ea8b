/**
 * The release, rehearsed without publishing (`pnpm release:dry-run`, run by CI after the tests):
 *
 * 1. packs every non-private workspace package with `pnpm pack` (as `pnpm publish` would);
 * 2. creates a scratch project in the OS temp dir, outside the workspace, and installs the
 *    tarballs there with npm (third-party dependencies from the npm registry);
 * 3. runs the examples there against the installed tarballs: the folder index (core + SQLite
 *    store + pipeline-node; the face models are built on first use from the npm registry, as for
 *    any user), `facekit detect` (a real DetectFaces through the published CLI) and the
 *    `node:http` server with its AWS SDK client;
 * 4. runs `changeset status` and `changeset version` in a throwaway clone of the repository.
 *
 * Needs `pnpm build` first. `--keep` leaves the temp dir; `--build-native` compiles
 * better-sqlite3 in the scratch project instead of reusing the workspace's identical addon.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { packPackage } from '../src/pack-package.js';
import { repoRoot } from '../src/repo-root.js';
import { publishablePackages } from '../src/workspace-packages.js';

const { values } = parseArgs({
  options: { keep: { type: 'boolean' }, 'build-native': { type: 'boolean' } },
});

const started = Date.now();
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
function step(title: string): () => void {
  const since = Date.now();
  console.log(`\n[dry-run] ${title}`);
  return () => console.log(`[dry-run] ${title}: done in ${seconds(since)}`);
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) failed with ${result.status ?? result.signal}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

function expectOutput(what: string, output: string, pattern: RegExp): void {
  if (!pattern.test(output)) throw new Error(`${what}: expected ${pattern} in:\n${output}`);
  console.log(`  ok: ${what}`);
}

/** The version of `name` installed as a direct dependency of the project in `dir`. */
function installedVersion(dir: string, name: string): string {
  const manifest = join(dir, 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

const temp = mkdtempSync(join(tmpdir(), 'facekit-release-'));
const tarballDir = join(temp, 'tarballs');
const project = join(temp, 'project');
mkdirSync(tarballDir);
mkdirSync(project);

try {
  // 1. Pack.
  let done = step('pnpm pack every publishable package');
  const packages = publishablePackages(repoRoot);
  const tarballs = new Map<string, string>();
  await Promise.all(
    packages.map(async (pkg) => tarballs.set(pkg.name, await packPackage(pkg.dir, tarballDir))),
  );
  for (const pkg of packages)
    console.log(`  ${pkg.name}@${pkg.version}: ${tarballs.get(pkg.name)}`);
  done();

  // 2. Install them in a project outside the workspace.
  done = step(`npm install the tarballs in ${project}`);
  const examples = join(repoRoot, 'examples');
  const fileSpec = (name: string) => `file:${tarballs.get(name)}`;
  const dependencies: Record<string, string> = Object.fromEntries(
    packages.map((p) => [p.name, fileSpec(p.name)]),
  );
  const nodeHttp = join(examples, 'node-http');
  const folderIndex = join(examples, 'folder-index');
  for (const [name, from] of [
    ['@aws-sdk/client-rekognition', nodeHttp],
    ['@hono/node-server', nodeHttp],
    ['@vladmandic/face-api', folderIndex],
  ] as const) {
    // The versions the workspace tests ran with.
    dependencies[name] = installedVersion(from, name);
  }
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify(
      {
        name: 'facekit-release-dry-run',
        private: true,
        type: 'module',
        dependencies,
        // Inter-package ranges (`^0.0.0`) resolve to these tarballs, never to the registry.
        overrides: Object.fromEntries(packages.map((p) => [p.name, `$${p.name}`])),
      },
      null,
      2,
    )}\n`,
  );
  // Install scripts off: onnxruntime-node's would download CUDA files, and better-sqlite3's
  // compiles SQLite (~2 min here) when no prebuilt addon can be downloaded.
  run(
    'npm',
    ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
    project,
  );
  const scratchSqlite = join(project, 'node_modules/better-sqlite3');
  const addon = 'build/Release/better_sqlite3.node';
  const storageSqlite = join(repoRoot, 'packages/storage-sqlite');
  const workspaceSqlite = realpathSync(join(storageSqlite, 'node_modules/better-sqlite3'));
  const sameVersion =
    installedVersion(project, 'better-sqlite3') ===
    installedVersion(storageSqlite, 'better-sqlite3');
  if (!values['build-native'] && sameVersion && existsSync(join(workspaceSqlite, addon))) {
    // The same version's addon, compiled for this Node by the workspace install.
    mkdirSync(dirname(join(scratchSqlite, addon)), { recursive: true });
    cpSync(join(workspaceSqlite, addon), join(scratchSqlite, addon));
    console.log('  better-sqlite3: reused the workspace addon of the same version');
  } else {
    run('npm', ['rebuild', 'better-sqlite3'], project);
    console.log('  better-sqlite3: compiled');
  }
  done();

  // 3. Run the examples against the installed tarballs.
  done = step('examples against the tarballs (models built on first use from the npm registry)');
  for (const file of ['folder-index/index.js', 'node-http/server.js', 'node-http/client.js']) {
    cpSync(join(examples, file), join(project, file.replace('/', '-').replace('-index.js', '.js')));
  }
  const photos = join(project, 'photos');
  mkdirSync(photos);
  for (let n = 1; n <= 6; n++) {
    cpSync(
      join(project, `node_modules/@vladmandic/face-api/demo/sample${n}.jpg`),
      join(photos, `sample${n}.jpg`),
    );
  }
  const models = run('npx', ['--no-install', 'facekit-models', 'list'], project);
  expectOutput('facekit-models list', models, /^faceplugin-detect-rfb320\tdetection\t/m);
  const indexed = run(
    'node',
    ['folder-index.js', 'photos', '--db', 'faces.sqlite', '--search', 'photos/sample3.jpg'],
    project,
  );
  console.log(indexed.replace(/^/gm, '    '));
  expectOutput(
    'folder index: sample1.jpg has 3 faces',
    indexed,
    /^indexed sample1\.jpg: 3 faces$/m,
  );
  expectOutput(
    'folder index: sample3 found in sample1',
    indexed,
    /^ {2}9\d\.\d% {2}sample1\.jpg$/m,
  );
  const detect = run(
    'npx',
    ['--no-install', 'facekit', 'detect', 'photos/sample1.jpg', '--output', 'json'],
    project,
  );
  const faces = (JSON.parse(detect) as { FaceDetails: unknown[] }).FaceDetails.length;
  expectOutput('facekit detect (DetectFaces) on sample1.jpg', `${faces} faces`, /^3 faces$/);

  const server = spawn('node', ['node-http-server.js'], {
    cwd: project,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      server.stdout.setEncoding('utf8');
      server.stdout.on('data', (chunk: string) => {
        output += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]);
      });
      server.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
    });
    const client = run('node', ['node-http-client.js', url], project);
    console.log(client.replace(/^/gm, '    '));
    expectOutput('node:http example', client, /^ListCollections: family$/m);
  } finally {
    server.kill('SIGTERM');
  }
  done();

  // 4. The changesets flow in a throwaway clone.
  done = step('changeset status and changeset version in a throwaway clone');
  const clone = join(temp, 'repo');
  run('git', ['clone', '--quiet', '--no-hardlinks', repoRoot, clone], temp);
  // `changeset status` compares with the base branch, which a clone has only as origin/main.
  const hasRef = (ref: string) =>
    spawnSync('git', ['rev-parse', '--verify', '--quiet', ref], { cwd: clone }).status === 0;
  if (!hasRef('refs/heads/main')) {
    run(
      'git',
      ['branch', 'main', hasRef('refs/remotes/origin/main') ? 'origin/main' : 'HEAD'],
      clone,
    );
  }
  const changeset = join(repoRoot, 'node_modules/.bin/changeset');
  const statusFile = join(temp, 'changeset-status.json');
  run(changeset, ['status', `--output=${statusFile}`], clone);
  const status = JSON.parse(readFileSync(statusFile, 'utf8')) as {
    releases: { name: string; type: string; newVersion: string }[];
  };
  for (const r of status.releases) console.log(`  ${r.name}: ${r.type} → ${r.newVersion}`);
  if (status.releases.length === 0) throw new Error('changeset status: no pending releases');
  run(changeset, ['version'], clone);
  const core = JSON.parse(readFileSync(join(clone, 'packages/core/package.json'), 'utf8')) as {
    version: string;
  };
  const planned = status.releases.find((r) => r.name === '@facekit/core');
  if (planned && core.version !== planned.newVersion) {
    throw new Error(
      `changeset version: core is ${core.version}, status said ${planned.newVersion}`,
    );
  }
  expectOutput(
    'changeset version wrote packages/core/CHANGELOG.md',
    existsSync(join(clone, 'packages/core/CHANGELOG.md')) ? 'yes' : 'no',
    /^yes$/,
  );
  const left = execFileSync('git', ['status', '--porcelain', '.changeset'], {
    cwd: clone,
    encoding: 'utf8',
  });
  expectOutput('changeset version consumed the changesets', left, /^ D \.changeset\/\S+\.md$/m);
  done();

  console.log(`\n[dry-run] all steps passed in ${seconds(started)}`);
} finally {
  if (values.keep) console.log(`[dry-run] kept ${temp}`);
  else rmSync(temp, { recursive: true, force: true });
}
