import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import {
  type AnalyzeOptions,
  errorClasses,
  type ImageAnalysis,
  InternalServerError,
  type RekognitionErrorName,
  type RgbImage,
} from '@facekit/core';
import {
  type FaceModelVersion,
  faceModels,
  type OnnxFaceAnalyzer,
  similarityScaleFor,
} from '@facekit/core/analyzer';
import type { SerializedError, WorkerRequest, WorkerResponse } from './analyzer-worker.js';
import { createNodeFaceAnalyzer, type NodeFaceAnalyzerOptions } from './node-face-analyzer.js';

export interface NodeFaceAnalyzerPoolOptions extends NodeFaceAnalyzerOptions {
  /**
   * Worker threads, each with its own decoder and ONNX sessions (one intra-op thread each);
   * default `os.availableParallelism()`, at most 8. Each costs the models' memory once more
   * (about 70 MB of resident memory each for face model 1.0).
   */
  workers?: number;
}

type WorkerThreads = typeof import('node:worker_threads');
type Worker = InstanceType<WorkerThreads['Worker']>;

interface PoolWorker {
  worker: Worker;
  inFlight: number;
  pending: Map<number, { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void }>;
}

/**
 * The default pipeline of {@link createNodeFaceAnalyzer} on a pool of worker threads, so every
 * core decodes and runs inference (onnxruntime-node's `run()` blocks the thread that calls it)
 * and the calling thread stays free for HTTP. Each image goes to an idle worker, or starts a new
 * one while there are fewer than `workers`, or else waits at the least busy; `load()` starts
 * them all. A worker that dies is replaced when next needed. Where `node:worker_threads` is missing, this is the in-thread
 * analyzer.
 *
 * @throws {Error} for an unknown face model version.
 */
export async function createNodeFaceAnalyzerPool(
  options: NodeFaceAnalyzerPoolOptions = {},
): Promise<OnnxFaceAnalyzer> {
  const { workers: wanted, ...analyzerOptions } = options;
  const size = wanted ?? Math.min(8, availableParallelism());
  if (!Number.isInteger(size) || size < 1) throw new Error(`workers must be ≥ 1, got ${wanted}`);
  const threads = await import('node:worker_threads').catch(() => undefined);
  if (!threads?.Worker) return createNodeFaceAnalyzer(analyzerOptions);

  const version = analyzerOptions.faceModelVersion ?? '1.0';
  const ids = faceModels[version as FaceModelVersion];
  if (!ids) {
    throw new Error(
      `Unknown face model version ${version}; known: ${Object.keys(faceModels).join(', ')}`,
    );
  }
  const workerOptions: NodeFaceAnalyzerOptions = {
    ...analyzerOptions,
    faceModelVersion: version,
    threads: analyzerOptions.threads ?? 1,
  };
  const pool: PoolWorker[] = [];
  let nextId = 1;

  function spawn(): PoolWorker {
    const { Worker } = threads as WorkerThreads;
    const { url, execArgv } = workerEntry();
    const worker = new Worker(url, { workerData: workerOptions, execArgv });
    const entry: PoolWorker = { worker, inFlight: 0, pending: new Map() };
    worker.unref();
    worker.on('message', (response: WorkerResponse) => {
      const waiting = entry.pending.get(response.id);
      entry.pending.delete(response.id);
      waiting?.resolve(response);
    });
    const fail = (error: Error) => {
      const at = pool.indexOf(entry);
      if (at >= 0) pool.splice(at, 1);
      for (const { reject } of entry.pending.values()) reject(error);
      entry.pending.clear();
    };
    worker.on('error', (error) =>
      fail(new InternalServerError('The analyzer worker failed.', { cause: error })),
    );
    worker.on('exit', (code) =>
      fail(new InternalServerError(`The analyzer worker exited with code ${code}.`)),
    );
    return entry;
  }

  function ensureWorkers(): PoolWorker[] {
    while (pool.length < size) pool.push(spawn());
    return pool;
  }

  /** An idle worker, else a new one while the pool is not full, else the least busy. */
  function pick(): PoolWorker {
    const idle = pool.find((entry) => entry.inFlight === 0);
    if (idle) return idle;
    if (pool.length < size) {
      const entry = spawn();
      pool.push(entry);
      return entry;
    }
    return pool.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
  }

  async function send(entry: PoolWorker, request: WorkerRequest): Promise<WorkerResponse> {
    // Referenced only while it has work, so an idle pool never keeps the process alive.
    if (entry.inFlight++ === 0) entry.worker.ref();
    try {
      return await new Promise<WorkerResponse>((resolve, reject) => {
        entry.pending.set(request.id, { resolve, reject });
        entry.worker.postMessage(request);
      });
    } finally {
      if (--entry.inFlight === 0) entry.worker.unref();
    }
  }

  return {
    specificationVersion: 'v1',
    faceModelVersion: version,
    similarity: similarityScaleFor(ids.embedder),

    async analyze(bytes: Uint8Array, analyzeOptions: AnalyzeOptions): Promise<ImageAnalysis> {
      const response = await send(pick(), {
        id: nextId++,
        kind: 'analyze',
        bytes,
        options: analyzeOptions,
      });
      if (!response.ok) throw rebuildError(response.error);
      return response.analysis as ImageAnalysis;
    },

    // Video frames: the pixels are copied to the worker (a 1080p frame is ~6 MB, well under the
    // cost of analysing it).
    async analyzePixels(
      image: RgbImage,
      analyzeOptions: AnalyzeOptions & { tryTurned?: boolean },
    ): Promise<ImageAnalysis> {
      const response = await send(pick(), {
        id: nextId++,
        kind: 'analyzePixels',
        image,
        options: analyzeOptions,
      });
      if (!response.ok) throw rebuildError(response.error);
      return response.analysis as ImageAnalysis;
    },

    async load(): Promise<void> {
      const responses = await Promise.all(
        ensureWorkers().map((entry) => send(entry, { id: nextId++, kind: 'load' })),
      );
      const failed = responses.find((r) => !r.ok);
      if (failed && !failed.ok) throw rebuildError(failed.error);
    },

    async close(): Promise<void> {
      const closing = pool.splice(0);
      await Promise.all(closing.map((entry) => entry.worker.terminate()));
    },
  };
}

/**
 * The worker's module: the built `.js` beside this file, or, when running from source (tsx,
 * vitest), the `.ts` behind a bootstrap that registers tsx first (Node 20 workers ignore
 * `--import` loaders in `execArgv`), with the workspace's source condition.
 */
function workerEntry(): { url: URL; execArgv: string[] | undefined } {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(`./analyzer-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return { url, execArgv: undefined };
  // tsx's ESM API, found from its package.json (its `exports` hide the path from `require`).
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsx = new URL('dist/esm/api/index.mjs', pathToFileURL(tsxPackage)).href;
  const bootstrap = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(url.href)});`;
  // Only the resolution conditions carry over: loaders and preloads belong to the parent.
  const execArgv = ['--conditions=@facekit/source'];
  process.execArgv.forEach((arg, i, all) => {
    if (arg === '--conditions' || arg === '-C') execArgv.push(`--conditions=${all[i + 1]}`);
    else if (arg.startsWith('--conditions=')) execArgv.push(arg);
  });
  return { url: new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), execArgv };
}

function rebuildError(error: SerializedError): Error {
  const Class = errorClasses[error.name as RekognitionErrorName];
  const rebuilt = error.rekognition && Class ? new Class(error.message) : new Error(error.message);
  if (error.stack) rebuilt.stack = error.stack;
  return rebuilt;
}
