/**
 * `pnpm bench:index [--folder DIR] [--concurrency 1,2,4] [--mode local,server]`
 *
 * `facekit index` over a folder of real photos (default: deepface's 65 test photos in
 * ../shared/datasets), timed end to end as a user runs it: in-process on a fresh SQLite data
 * directory (the face models load on the first image, included in the time) and with
 * `--endpoint` against `facekit serve` in a separate process (started and warmed up first).
 * Prints images/s and faces/s per concurrency level.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runCli } from '@facekit/cli';
import { datasetsDir } from './datasets.js';
import { formatTable, num } from './report-format.js';

const USAGE =
  'Usage: pnpm bench:index [--folder DIR] [--concurrency 1,2,4] [--mode local,server] [--face-model 1.0]';

const { values: args } = parseArgs({
  options: {
    folder: { type: 'string' },
    concurrency: { type: 'string', default: '1,2,4' },
    mode: { type: 'string', default: 'local,server' },
    'face-model': { type: 'string', default: '1.0' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const folder = args.folder ?? join(datasetsDir(), 'deepface/tests/unit/dataset');
if (!existsSync(folder)) {
  console.error(
    `No photos at ${folder}. Put ../shared/datasets beside the repository, set FACEKIT_DATASETS, or pass --folder.`,
  );
  process.exit(2);
}
const levels = args.concurrency.split(',').map(Number);
const modes = args.mode.split(',');
if (
  levels.some((n) => !Number.isInteger(n) || n < 1) ||
  modes.some((m) => m !== 'local' && m !== 'server')
) {
  console.error(USAGE);
  process.exit(2);
}

interface Run {
  mode: string;
  concurrency: number;
  images: number;
  faces: number;
  failed: number;
  seconds: number;
}

/** `facekit index <collection> <folder> --output jsonl` in-process; counts from its output. */
async function indexOnce(mode: string, concurrency: number, endpoint?: string): Promise<Run> {
  const dataDir = await mkdtemp(join(tmpdir(), 'facekit-bench-index-'));
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    env: { FACEKIT_DATA_DIR: dataDir, FACEKIT_FACE_MODEL: args['face-model'] },
    cwd: process.cwd(),
  };
  const where = endpoint ? ['--endpoint', endpoint] : [];
  const collection = `bench-${mode}-${concurrency}-${Date.now()}`;
  const created = await runCli(['collections', 'create', collection, ...where, '-o', 'json'], io);
  if (created.kind !== 'exit' || created.exitCode !== 0) throw new Error(err.join(''));
  out.length = 0;
  const started = performance.now();
  await runCli(
    [
      'index',
      collection,
      folder,
      '--concurrency',
      String(concurrency),
      '--output',
      'jsonl',
      '--quiet',
      ...where,
    ],
    io,
  );
  const seconds = (performance.now() - started) / 1000;
  const responses = out
    .join('')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { FaceRecords?: unknown[] });
  const failed = Number(/failed +(\d+)/.exec(err.join(''))?.[1] ?? Number.NaN);
  await rm(dataDir, { recursive: true, force: true });
  return {
    mode,
    concurrency,
    images: responses.length,
    faces: responses.reduce((n, r) => n + (r.FaceRecords?.length ?? 0), 0),
    failed,
    seconds,
  };
}

/** `facekit serve` as its own process, from source, on a free port. */
async function startServer(): Promise<{ url: string; child: ChildProcess; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'facekit-bench-serve-'));
  const bin = fileURLToPath(new URL('../../packages/cli/src/bin.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@facekit/source',
      bin,
      'serve',
      '--port',
      '0',
      // Log level info: the banner carries the URL (port 0); request lines are read and dropped.
    ],
    {
      env: { ...process.env, FACEKIT_DATA_DIR: dataDir, FACEKIT_FACE_MODEL: args['face-model'] },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let text: string | undefined = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      if (text === undefined) return;
      text += chunk;
      const found = /facekit listening on (http:\/\/\S+)/.exec(text)?.[1];
      if (found) {
        resolve(found);
        text = undefined;
      }
    });
    child.on('exit', (code) => reject(new Error(`facekit serve exited with ${code}: ${text}`)));
  });
  return { url, child, dataDir };
}

const runs: Run[] = [];
console.log(
  `facekit index over ${folder}\n${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (other processes share these cores)\n`,
);
for (const mode of modes) {
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  if (mode === 'server') {
    server = await startServer();
    // Warm-up: the server's first image pays for lazy session set-up, as every real server does once.
    await indexOnce('warm-up', 1, server.url).catch(() => undefined);
  }
  for (const concurrency of levels) {
    const run = await indexOnce(mode, concurrency, server?.url);
    runs.push(run);
    console.log(
      `  ${mode} concurrency ${concurrency}: ${run.images} images, ${run.faces} faces in ${num(run.seconds, 2)} s`,
    );
  }
  if (server) {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server?.child.on('exit', resolve));
    await rm(server.dataDir, { recursive: true, force: true });
  }
}

console.log(
  `\n${formatTable(
    [
      ['mode', 'concurrency', 'images', 'faces', 'failed', 'seconds', 'images/s', 'faces/s'],
      ...runs.map((r) => [
        r.mode === 'local' ? 'in-process' : 'server (--endpoint)',
        String(r.concurrency),
        String(r.images),
        String(r.faces),
        String(r.failed),
        num(r.seconds, 2),
        num(r.images / r.seconds, 2),
        num(r.faces / r.seconds, 2),
      ]),
    ],
    '  ',
    'lrrrrrrr',
  )}`,
);
console.log(
  '\nin-process includes loading the face models (the first image waits for them); the server was started and warmed up before timing.',
);
