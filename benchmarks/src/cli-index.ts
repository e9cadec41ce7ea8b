/**
 * `pnpm bench:index [--sets one,1mp,12mp,group] [--mode local,server] [--concurrency 4]
 *   [--count 60] [--workers auto]`
 *
 * `facekit index` (the built CLI when there is one) over folders of real photos, timed end to end
 * as a user runs it: in-process on a fresh SQLite data directory (the analyzer workers start and
 * load their models with the first images, included in the time) and with `--endpoint` (the AWS
 * SDK) against `facekit serve` in its own process (started and warmed up first). The photo sets are made from ../shared/datasets
 * with sharp into a temporary folder:
 *
 * - `one`: deepface's one-face photos, their longer side made 1024 px;
 * - `1mp` and `12mp`: the first 12 of them at 1 and 12 megapixels (upscaled, as a phone's photo),
 *   for what a 12 MP photo costs against a 1 MP one;
 * - `group`: WIDER FACE validation photos (about 1024 px, crowds).
 *
 * Prints images/s, faces/s, the CPU time per image (every thread of the indexing process, or of
 * the server, which is what the machine's load does not change), for in-process runs also from
 * the first image's output line to the last (without the start-up) and the load average at each run;
 * then the CPU time per stage, from the same pipeline on one thread with every decode and model
 * run timed through its seams.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { maxS3ImageBytes } from '@facekit/core';
import { createPresetFaceAnalyzer } from '@facekit/core/analyzer';
import { loadModel } from '@facekit/models';
import {
  createScaledImageDecoder,
  type FaceModelVersion,
  faceModels,
} from '@facekit/pipeline-node';
import sharp from 'sharp';
import { datasetsDir } from './datasets.js';
import { formatTable, num, verdict } from './report-format.js';
import { createStageTimer, type StageTime } from './stage-timer.js';

const USAGE =
  'Usage: pnpm bench:index [--sets one,1mp,12mp,group] [--mode local,server] [--concurrency 4] [--count 60] [--workers auto] [--face-model 1.0]';

const { values: args } = parseArgs({
  options: {
    sets: { type: 'string', default: 'one,1mp,12mp,group' },
    concurrency: { type: 'string', default: '4' },
    mode: { type: 'string', default: 'local,server' },
    count: { type: 'string', default: '60' },
    workers: { type: 'string', default: 'auto' },
    'stage-sample': { type: 'string', default: '8' },
    'face-model': { type: 'string', default: '1.0' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const SETS = ['one', '1mp', '12mp', 'group'] as const;
type SetName = (typeof SETS)[number];
const sets = args.sets.split(',') as SetName[];
const modes = args.mode.split(',');
const concurrency = Number(args.concurrency);
const count = Number(args.count);
const stageSample = Number(args['stage-sample']);
if (
  !sets.every((s) => SETS.includes(s)) ||
  !modes.every((m) => m === 'local' || m === 'server') ||
  !(Number.isInteger(concurrency) && concurrency >= 1) ||
  !(Number.isInteger(count) && count >= 1) ||
  !(Number.isInteger(stageSample) && stageSample >= 0) ||
  !(args.workers === 'auto' || /^\d+$/.test(args.workers)) ||
  !(args['face-model'] in faceModels)
) {
  console.error(USAGE);
  process.exit(2);
}
const faceModel = args['face-model'] as FaceModelVersion;

const root = datasetsDir();
const onesDir = join(root, 'deepface/tests/unit/dataset');
const widerDir = join(root, 'widerface-val-subset/data/WIDER_val/images');
if (!existsSync(onesDir) || !existsSync(widerDir)) {
  console.error(
    `No photos at ${root}. Put ../shared/datasets beside the repository or set FACEKIT_DATASETS.`,
  );
  process.exit(2);
}

const loadText = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** The photo sets, written as JPEG files into `dir/<set>/`. */
async function makeSets(dir: string): Promise<Record<SetName, string>> {
  const ones = readdirSync(onesDir)
    .filter((f) => /^img\d+\.jpg$/.test(f))
    .sort((a, b) => Number(a.slice(3, -4)) - Number(b.slice(3, -4)));
  const groups = readdirSync(widerDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.jpg'))
    .sort();
  const out = {} as Record<SetName, string>;
  const write = async (
    set: SetName,
    files: string[],
    from: string,
    size: (w: number, h: number) => [number, number] | undefined,
  ) => {
    const target = join(dir, set);
    await mkdir(target, { recursive: true });
    for (const [i, file] of files.entries()) {
      const bytes = readFileSync(join(from, file));
      const image = sharp(bytes).rotate();
      const { width = 0, height = 0, orientation = 1 } = await sharp(bytes).metadata();
      const [w, h] = orientation >= 5 ? [height, width] : [width, height];
      const wanted = size(w, h);
      const resized = wanted ? image.resize(wanted[0], wanted[1], { fit: 'fill' }) : image;
      await writeFile(
        join(target, `${set}-${String(i).padStart(3, '0')}.jpg`),
        await resized.jpeg({ quality: 90 }).toBuffer(),
      );
    }
    out[set] = target;
  };
  const byArea =
    (mp: number) =>
    (w: number, h: number): [number, number] => {
      const k = Math.sqrt((mp * 1e6) / (w * h));
      return [Math.round(w * k), Math.round(h * k)];
    };
  for (const set of sets) {
    if (set === 'one') {
      await write(set, ones.slice(0, count), onesDir, (w, h) => {
        const k = 1024 / Math.max(w, h);
        return [Math.round(w * k), Math.round(h * k)];
      });
    } else if (set === '1mp') await write(set, ones.slice(0, 12), onesDir, byArea(1));
    else if (set === '12mp') await write(set, ones.slice(0, 12), onesDir, byArea(12));
    else await write(set, groups.slice(0, Math.min(count, 30)), widerDir, () => undefined);
  }
  return out;
}

const SET_LABEL: Record<SetName, string> = {
  one: '1-face, 1024 px',
  '1mp': '1-face, 1 MP',
  '12mp': '1-face, 12 MP (upscaled)',
  group: 'group (WIDER, ~1024 px)',
};

interface Run {
  set: SetName;
  mode: 'local' | 'server';
  images: number;
  faces: number;
  failed: number;
  seconds: number;
  /** CPU ms per image of the process that analysed the images. */
  cpuPerImage: number;
  /**
   * In-process runs: the rate and CPU per image from the first image's output line to the last,
   * i.e. without starting Node, the workers and the models (what a large library sees).
   */
  afterFirst?: { imagesPerSecond: number; cpuPerImage: number };
  load: string;
}

/** CPU time (ms) of a process, from /proc (Linux), for the server in its own process. */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}
const ownCpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** The CLI as users run it: the built `dist/bin.js` when there is one, else the sources. */
function cliCommand(): string[] {
  const dist = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
  if (existsSync(dist)) return [dist];
  const bin = fileURLToPath(new URL('../../packages/cli/src/bin.ts', import.meta.url));
  return ['--import', 'tsx', '--conditions=@facekit/source', bin];
}

/** Runs `facekit <argv>` to its end; its output, and its CPU ms (polled from /proc). */
async function runFacekit(argv: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [...cliCommand(), ...argv], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const err: string[] = [];
  // When each output line (one per image with --output jsonl) arrived, and the CPU used by then.
  const lines: { at: number; cpu: number }[] = [];
  child.stdout.on('data', (chunk) => {
    const text = String(chunk);
    out.push(text);
    const at = performance.now();
    let cpuNow = Number.NaN;
    try {
      cpuNow = processCpuMs(child.pid ?? 0);
    } catch {
      // exited
    }
    for (const c of text) if (c === '\n') lines.push({ at, cpu: cpuNow });
  });
  child.stderr.on('data', (chunk) => err.push(String(chunk)));
  let cpu = 0;
  const poll = setInterval(() => {
    try {
      cpu = processCpuMs(child.pid ?? 0);
    } catch {
      // exited between polls
    }
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(poll);
  return { code, stdout: out.join(''), stderr: err.join(''), cpu, lines };
}

/** `facekit index <collection> <folder> --output jsonl`; counts from its output. */
async function indexOnce(set: SetName, folder: string, server?: Server): Promise<Run> {
  const dataDir = await mkdtemp(join(tmpdir(), 'facekit-bench-index-'));
  const env = {
    FACEKIT_DATA_DIR: dataDir,
    FACEKIT_FACE_MODEL: faceModel,
    FACEKIT_ANALYZER_WORKERS: args.workers,
  };
  const where = server ? ['--endpoint', server.url] : [];
  const collection = `bench-${set}-${Date.now()}`;
  const created = await runFacekit(
    ['collections', 'create', collection, ...where, '-o', 'json'],
    env,
  );
  if (created.code !== 0) throw new Error(created.stderr);
  const load = loadText();
  const serverCpu0 = server ? processCpuMs(server.child.pid ?? 0) : 0;
  const started = performance.now();
  const argv = ['index', collection, folder, '--concurrency', String(concurrency)];
  const indexed = await runFacekit([...argv, '--output', 'jsonl', '--quiet', ...where], env);
  const seconds = (performance.now() - started) / 1000;
  const cpu = server ? processCpuMs(server.child.pid ?? 0) - serverCpu0 : indexed.cpu;
  const responses = indexed.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { FaceRecords?: unknown[] });
  const failed = Number(/failed +(\d+)/.exec(indexed.stderr)?.[1] ?? Number.NaN);
  await rm(dataDir, { recursive: true, force: true });
  return {
    set,
    mode: server ? 'server' : 'local',
    images: responses.length,
    faces: responses.reduce((n, r) => n + (r.FaceRecords?.length ?? 0), 0),
    failed,
    seconds,
    cpuPerImage: cpu / Math.max(1, responses.length),
    ...(server || indexed.lines.length < 10
      ? {}
      : {
          afterFirst: (() => {
            const first = indexed.lines[0];
            const last = indexed.lines[indexed.lines.length - 1];
            const n = indexed.lines.length - 1;
            return {
              imagesPerSecond: (n * 1000) / (last.at - first.at),
              cpuPerImage: (last.cpu - first.cpu) / n,
            };
          })(),
        }),
    load,
  };
}

interface Server {
  url: string;
  child: ChildProcess;
  dataDir: string;
}

/** `facekit serve` as its own process, from source, on a free port; its workers started. */
async function startServer(): Promise<Server> {
  const dataDir = await mkdtemp(join(tmpdir(), 'facekit-bench-serve-'));
  const child = spawn(process.execPath, [...cliCommand(), 'serve', '--port', '0'], {
    env: {
      ...process.env,
      FACEKIT_DATA_DIR: dataDir,
      FACEKIT_FACE_MODEL: faceModel,
      FACEKIT_ANALYZER_WORKERS: args.workers,
      FACEKIT_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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

/** CPU ms per image by stage: the shipped pipeline on this thread, each seam call timed. */
async function stageTimes(
  folder: string,
): Promise<{ perImage: Record<string, StageTime>; total: number; images: number }> {
  const ids = faceModels[faceModel];
  const stageOf = (name: string | undefined) =>
    name === ids.detector
      ? 'detect'
      : name === ids.landmarks
        ? 'landmarks'
        : name === ids.embedder
          ? 'embed'
          : name === 'mtcnn-onet-48'
            ? 'verify (O-Net)'
            : `model ${name}`;
  // CPU time of this process: the runs are one at a time, and decoding uses libvips' threads.
  const timer = createStageTimer(stageOf, ownCpuMs);
  const { createOnnxNodeBackend } = await import('@facekit/inference-onnx/node');
  const analyzer = await createPresetFaceAnalyzer({
    backend: timer.backend(createOnnxNodeBackend({ threads: 1 })),
    decoder: timer.decoder(createScaledImageDecoder({ maxBytes: maxS3ImageBytes })),
    loadModel: (id) => loadModel(id),
    faceModelVersion: faceModel,
  });
  const files = readdirSync(folder).sort().slice(0, stageSample);
  const photos = await Promise.all(files.map((f) => readFile(join(folder, f))));
  const options = { attributes: ['DEFAULT'] as const, embedLargest: 100 };
  await analyzer.analyze(photos[0], options); // sessions
  timer.take();
  const cpu0 = ownCpuMs();
  for (const bytes of photos) await analyzer.analyze(bytes, options);
  const total = (ownCpuMs() - cpu0) / photos.length;
  const taken = timer.take();
  await analyzer.close();
  const perImage = Object.fromEntries(
    Object.entries(taken).map(([k, t]) => [
      k,
      { ms: t.ms / photos.length, calls: t.calls / photos.length },
    ]),
  );
  return { perImage, total, images: photos.length };
}

console.log(
  `facekit index, ${concurrency} images in flight, analyzer workers ${args.workers}, face model ${faceModel}\n${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; load average ${loadText()} (1/5/15 min) at start: other processes share these cores, so images/s depends on them; CPU ms per image does not (much).\n`,
);
const dir = await mkdtemp(join(tmpdir(), 'facekit-bench-sets-'));
const folders = await makeSets(dir);
const runs: Run[] = [];
try {
  for (const mode of modes) {
    const server = mode === 'server' ? await startServer() : undefined;
    try {
      if (server)
        await indexOnce(sets[0], folders[sets[0]], server); // warm-up
      else await indexOnce('1mp', folders['1mp'] ?? folders[sets[0]]).catch(() => undefined);
      for (const set of sets) {
        const run = await indexOnce(set, folders[set], server);
        runs.push(run);
        console.log(
          `  ${mode === 'local' ? 'in-process' : 'serve + SDK'} ${SET_LABEL[set]}: ${run.images} images, ${run.faces} faces in ${num(run.seconds, 2)} s, ${num(run.cpuPerImage, 1)} CPU ms/image (load ${run.load})`,
        );
      }
    } finally {
      if (server) {
        server.child.kill('SIGTERM');
        await new Promise((resolve) => server.child.on('exit', resolve));
        await rm(server.dataDir, { recursive: true, force: true });
      }
    }
  }

  console.log(
    `\n${formatTable(
      [
        [
          'set',
          'mode',
          'images',
          'faces',
          'failed',
          's',
          'images/s',
          'faces/s',
          'CPU ms/image',
          'after the 1st: images/s',
          'CPU ms/image',
          'load (1/5/15)',
        ],
        ...runs.map((r) => [
          SET_LABEL[r.set],
          r.mode === 'local' ? 'in-process' : 'serve + AWS SDK',
          String(r.images),
          String(r.faces),
          String(r.failed),
          num(r.seconds, 2),
          num(r.images / r.seconds, 1),
          num(r.faces / r.seconds, 1),
          num(r.cpuPerImage, 1),
          r.afterFirst ? num(r.afterFirst.imagesPerSecond, 1) : '',
          r.afterFirst ? num(r.afterFirst.cpuPerImage, 1) : '',
          r.load,
        ]),
      ],
      '  ',
      'llrrrrrrrrrl',
    )}`,
  );
  console.log(
    `  ${cliCommand()[0].endsWith('.js') ? 'packages/cli/dist/bin.js' : 'the CLI from source (no build)'}, as its own process. in-process: facekit index with its analyzer worker threads and SQLite, loading the models with the first images (in the time; CPU: that process); serve: facekit serve started and warmed up first (CPU: the server process; the client is another).`,
  );

  const stages: [SetName, Awaited<ReturnType<typeof stageTimes>>][] = [];
  if (stageSample > 0) {
    for (const set of sets) stages.push([set, await stageTimes(folders[set])]);
    const names = [...new Set(stages.flatMap(([, s]) => Object.keys(s.perImage)))];
    const order = ['decode', 'detect', 'verify (O-Net)', 'landmarks', 'embed'];
    names.sort((a, b) => ((order.indexOf(a) + 99) % 99) - ((order.indexOf(b) + 99) % 99));
    const cell = (t: StageTime | undefined) => (t ? `${num(t.ms, 1)} (${num(t.calls, 1)})` : '—');
    console.log(
      `\n  CPU ms per image by stage (calls per image), the pipeline on one thread over the first ${stageSample} photos of each set; load ${loadText()}:`,
    );
    console.log(
      formatTable([
        ['stage', ...stages.map(([set]) => SET_LABEL[set])],
        ...names.map((n) => [n, ...stages.map(([, s]) => cell(s.perImage[n]))]),
        [
          'other (resampling, tensors, NMS, alignment, quality)',
          ...stages.map(([, s]) =>
            num(s.total - Object.values(s.perImage).reduce((n, t) => n + t.ms, 0), 1),
          ),
        ],
        ['total', ...stages.map(([, s]) => num(s.total, 1))],
      ]),
    );
  }

  // Targets of issue 19.
  const find = (set: SetName, mode: string) => runs.find((r) => r.set === set && r.mode === mode);
  const rate = (r: Run | undefined) => (r ? r.images / r.seconds : Number.NaN);
  const verdicts: string[][] = [];
  const one = find('one', 'local');
  if (one)
    verdicts.push([
      verdict(rate(one) >= 60),
      '1-face 1024 px in-process ≥ 60 images/s',
      `${num(rate(one), 1)} (load ${one.load}; ${num(one.cpuPerImage, 1)} CPU ms/image: ${num((cpus().length * 1000) / one.cpuPerImage, 0)} images/s on ${cpus().length} idle cores)`,
    ]);
  if (one?.afterFirst)
    verdicts.push([
      verdict(one.afterFirst.imagesPerSecond >= 60),
      '  the same, once started (after the first image)',
      `${num(one.afterFirst.imagesPerSecond, 1)} (${num(one.afterFirst.cpuPerImage, 1)} CPU ms/image)`,
    ]);
  const served = find('one', 'server');
  if (served)
    verdicts.push([
      verdict(rate(served) >= 40),
      '1-face 1024 px through serve at concurrency 4 ≥ 40 images/s',
      `${num(rate(served), 1)} (load ${served.load}; ${num(served.cpuPerImage, 1)} server CPU ms/image)`,
    ]);
  const small = stages.find(([s]) => s === '1mp')?.[1];
  const large = stages.find(([s]) => s === '12mp')?.[1];
  if (small && large) {
    verdicts.push([
      verdict(large.total <= 2 * small.total),
      '12 MP photo ≤ 2× the time of 1 MP (CPU ms per image, one thread)',
      `${num(large.total, 1)} vs ${num(small.total, 1)} ms: ${num(large.total / small.total, 2)}×`,
    ]);
  }
  if (verdicts.length > 0) {
    console.log('\n  Targets:');
    console.log(formatTable(verdicts, '  ', 'lll'));
  }
  console.log(`  load average ${loadText()} at the end.`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
