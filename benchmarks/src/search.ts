/**
 * `pnpm bench:search [--sizes 10k,100k] [--dims 512,128] [--adapters sqlite,faiss-flat,faiss-hnsw]
 *   [--data face,random] [--queries 200] [--http-size 10k] [--http-adapters a,b] [--batch 1000]
 *   [--jobs 1] [--out results.json] [--database-url URL]`
 *
 * Vector search of each store (see `search-subjects/`) on seeded unit vectors, `face`-like
 * (identity clusters whose cosines match our embedder's on labelled photos: see
 * `face-like-vectors.ts` and `pnpm bench:face-cosines`) or uniformly `random` (the worst case for
 * approximate indexes; queries drawn the same way): time to add
 * them (`putFaces` in batches, vectors/s), the store's resident memory, its size on disk, top-10
 * `searchFaces` latency (p50/p99) and recall@10 against exact search ("matches found": the share of
 * the true top-10 at or above Similarity 80, cosine 0.408, that came back), and the time to reopen the
 * persisted collection and answer its first search (and the resident memory then). Each (store, size, dimension) runs in a child
 * process of its own, so memory is measured alone. For the `--http-size` collection of 512-d
 * vectors, one more row per store goes through `facekit serve` with `@aws-sdk/client-rekognition`
 * (SearchFaces, MaxFaces 10), to show the protocol's overhead. Sizes take a `k`/`m` suffix; 1m
 * takes long (opt in with `--sizes 10k,100k,1m`). `--adapters memory` adds the memory store.
 * `--database-url` is passed to the subjects as `FACEKIT_BENCH_DATABASE_URL` (the postgres
 * subjects can use a real server instead of embedded PGlite). `--jobs N` runs N measurements at
 * once, largest collections first (each row then records its start/end time and the load average
 * around it: single-threaded graph builds take one core each); `--http-adapters` limits the
 * through-serve rows to those stores; `--out` writes every result as JSON.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RekognitionClient, SearchFacesCommand } from '@aws-sdk/client-rekognition';
import { seededRandom } from '@facekit/conformance/storage';
import type { FaceStore, StoredFace } from '@facekit/core';
import { startCliServer } from './cli-server.js';
import { formatTable, num } from './report-format.js';
import { type DataKind, dataOf, faceIdOf, K, MATCH_COSINE, rowOf } from './search-data.js';
import { SEARCH_SUBJECTS, type SearchBenchSubject } from './search-subjects/index.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10k,100k' },
    dims: { type: 'string', default: '512,128' },
    adapters: { type: 'string', default: 'sqlite,faiss-flat,faiss-hnsw' },
    data: { type: 'string', default: 'face' },
    'database-url': { type: 'string' },
    queries: { type: 'string', default: '200' },
    'http-size': { type: 'string', default: '10k' },
    'http-adapters': { type: 'string' },
    jobs: { type: 'string', default: '1' },
    out: { type: 'string' },
    batch: { type: 'string', default: '1000' },
    // Internal: run one measurement in this process and print it as JSON.
    child: { type: 'string' },
    size: { type: 'string' },
    dim: { type: 'string' },
    kind: { type: 'string', default: 'face' },
    http: { type: 'boolean', default: false },
  },
  strict: true,
});

const COLLECTION = 'bench';

interface SearchStats {
  p50: number;
  p99: number;
  /**
   * CPU time of one search (all the process's threads, `process.cpuUsage`), p50: what it costs
   * whatever the machine's load, where wall times count the waits for a core.
   */
  cpuP50: number;
  /**
   * Time the searching thread spent runnable but waiting for a core (Linux schedstat), p50:
   * the share of the wall time that is the machine's load, not the search.
   */
  waitP50: number;
  recall: number;
  /** Recall of the true top-10 that clear {@link MATCH_COSINE}: the matches a search returns. */
  matchRecall: number;
}

interface Result {
  subject: string;
  data: DataKind;
  size: number;
  dim: number;
  addPerSecond: number;
  /** Faces added per second of the process's CPU time (all threads). */
  addPerCpuSecond: number;
  /** Seconds `open` took to build the index over the bulk-loaded rows (subjects with `bulkLoad`). */
  indexBuildSeconds?: number;
  /** Wall-clock start and end (ISO) and the load average then: what the machine was doing. */
  started: string;
  ended: string;
  loadStart: number[];
  loadEnd: number[];
  rssBytes: number;
  diskBytes: number;
  p50: number;
  p99: number;
  cpuP50: number;
  waitP50: number;
  recall: number;
  matchRecall: number;
  reopenSeconds: number;
  /** Resident memory after reopening and answering the queries again (a mapped index pages in). */
  reopenRssBytes: number;
  /** Through `facekit serve`: latency, and CPU time per request of the server and of the client. */
  http?: { p50: number; p99: number; serverCpuMs: number; clientCpuMs: number };
  /** The other read paths of a large collection, on the reopened store (p50 ms). */
  operations?: OperationTimes;
  variants?: (SearchStats & { label: string })[];
}

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!match) throw new Error(`bad size ${text} (e.g. 10k, 100k, 1m)`);
  const scale = { '': 1, k: 1e3, m: 1e6 }[match[2].toLowerCase() as '' | 'k' | 'm'];
  return Math.round(Number(match[1]) * scale);
}

const log = (text: string) =>
  process.stderr.write(`  [${new Date().toISOString().slice(11, 19)}] ${text}\n`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function measure(
  subject: SearchBenchSubject,
  kind: DataKind,
  size: number,
  dim: number,
): Promise<Result> {
  const queries = Number(args.queries);
  const batch = Number(args.batch);
  const started = new Date().toISOString();
  const loadStart = loadavg();
  const { data, queryData, truths } = dataOf(kind, size, dim, queries);
  log(`${subject.name} ${kind} ${size}×${dim}: data ready, adding`);
  const baseline = process.memoryUsage().rss;
  const dir = mkdtempSync(join(tmpdir(), `facekit-bench-search-${subject.name}-`));
  try {
    let store = await (subject.bulkLoad ?? subject.open)(dir);
    await store.createCollection({
      collectionId: COLLECTION,
      faceModelVersion: '1.0',
      createdAt: Date.now(),
    });
    // Opens the (empty) search index, so adds below are measured as incremental inserts.
    await store.searchFaces(COLLECTION, queryData.subarray(0, dim), { limit: 1 });
    const addStart = performance.now();
    const addCpu = process.cpuUsage();
    for (let start = 0; start < size; start += batch) {
      const faces: StoredFace[] = [];
      for (let row = start; row < Math.min(size, start + batch); row++) {
        faces.push({
          faceId: faceIdOf(row),
          imageId: faceIdOf(row),
          boundingBox: { width: 0.5, height: 0.5, left: 0.25, top: 0.25 },
          confidence: 99.9,
          indexFacesModelVersion: '1.0',
          createdAt: Date.now(),
          vector: data.subarray(row * dim, (row + 1) * dim),
        });
      }
      await store.putFaces(COLLECTION, faces);
    }
    let indexBuildSeconds: number | undefined;
    if (subject.bulkLoad) {
      await store.close();
      const buildStart = performance.now();
      store = await subject.open(dir);
      indexBuildSeconds = (performance.now() - buildStart) / 1000;
      log(`${subject.name}: index built over the loaded rows in ${indexBuildSeconds.toFixed(1)} s`);
    }
    const addSeconds = (performance.now() - addStart) / 1000;
    const addCpuUsed = process.cpuUsage(addCpu);
    const addCpuSeconds = (addCpuUsed.user + addCpuUsed.system) / 1e6;
    log(`${subject.name}: added in ${addSeconds.toFixed(1)} s, searching`);
    const searchStats = async (s: FaceStore): Promise<SearchStats> => {
      const times: number[] = [];
      const cpuTimes: number[] = [];
      const waits: number[] = [];
      let found = 0;
      let matches = 0;
      let matchesFound = 0;
      for (let i = -5; i < queries; i++) {
        const q = queryData.subarray(Math.max(0, i) * dim, (Math.max(0, i) + 1) * dim);
        const waited = runQueueWaitMs();
        const start = performance.now();
        const cpu = process.cpuUsage();
        const hits = await s.searchFaces(COLLECTION, q, { limit: K });
        const used = process.cpuUsage(cpu);
        const wait = runQueueWaitMs() - waited;
        if (i < 0) continue; // warm-up
        waits.push(wait);
        times.push(performance.now() - start);
        cpuTimes.push((used.user + used.system) / 1000);
        const truth = new Set(truths[i]);
        const returned = new Set(hits.map((m) => rowOf(m.face.faceId)));
        found += truths[i].filter((row) => returned.has(row)).length;
        for (const row of truth) {
          let cosine = 0;
          for (let j = 0; j < dim; j++) cosine += q[j] * data[row * dim + j];
          if (cosine < MATCH_COSINE) continue;
          matches++;
          if (returned.has(row)) matchesFound++;
        }
      }
      times.sort((a, b) => a - b);
      cpuTimes.sort((a, b) => a - b);
      waits.sort((a, b) => a - b);
      return {
        p50: percentile(times, 0.5),
        p99: percentile(times, 0.99),
        cpuP50: percentile(cpuTimes, 0.5),
        waitP50: percentile(waits, 0.5),
        recall: found / (queries * K),
        matchRecall: matches > 0 ? matchesFound / matches : Number.NaN,
      };
    };
    const stats = await searchStats(store);
    const rssBytes = process.memoryUsage().rss - baseline;
    await store.close();
    const diskBytes = await subject.diskBytes(dir);

    let reopenSeconds = Number.NaN;
    let reopenRssBytes = Number.NaN;
    if (store.capabilities.persistent) {
      // The rows of the first run are garbage now; measure the reopened store from a clean heap.
      (globalThis as { gc?: () => void }).gc?.();
      const before = process.memoryUsage().rss;
      const start = performance.now();
      store = await subject.open(dir);
      await store.searchFaces(COLLECTION, queryData.subarray(0, dim), { limit: K });
      reopenSeconds = (performance.now() - start) / 1000;
      await searchStats(store);
      reopenRssBytes = Math.max(0, process.memoryUsage().rss - before);
      await store.close();
    }
    log(`${subject.name}: reopened in ${reopenSeconds.toFixed(2)} s`);
    const variants: Result['variants'] = [];
    for (const variant of subject.variants ?? []) {
      const s = await variant.open(dir);
      variants.push({ label: variant.label, ...(await searchStats(s)) });
      await s.close();
    }
    const operations = await timeOperations(await subject.open(dir), size);
    const result: Result = {
      subject: subject.name,
      data: kind,
      size,
      dim,
      addPerSecond: size / addSeconds,
      addPerCpuSecond: size / addCpuSeconds,
      ...(indexBuildSeconds === undefined ? {} : { indexBuildSeconds }),
      started,
      ended: '',
      loadStart,
      loadEnd: [],
      rssBytes,
      diskBytes,
      ...stats,
      reopenSeconds,
      reopenRssBytes,
      variants,
      operations,
    };
    if (args.http && subject.serveArgs && store.capabilities.persistent) {
      result.http = await measureHttp(subject.serveArgs(dir), size, queries).catch(
        (error: Error) => {
          console.error(`${subject.name}: through facekit serve failed: ${error.message}`);
          return undefined;
        },
      );
    }
    result.ended = new Date().toISOString();
    result.loadEnd = loadavg();
    return result;
  } finally {
    await subject.destroy?.(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

interface OperationTimes {
  /** DescribeCollection (face and user counts). */
  describe: number;
  /** One ListFaces page of 1 000, following the cursor through the first ten pages. */
  listPage: number;
  /** The first SearchUsers over 1 000 users of 3 faces each (builds the centroids). */
  searchUsersFirst: number;
  /** SearchUsers right after an AssociateFaces or DisassociateFaces. */
  searchUsersAfterChange: number;
}

/**
 * DescribeCollection, ListFaces paging and SearchUsers on the collection just measured: none of
 * them should scan the whole collection on the hot path.
 */
async function timeOperations(store: FaceStore, size: number): Promise<OperationTimes> {
  const p50 = async (runs: number, fn: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await fn();
      times.push(performance.now() - start);
    }
    return percentile(
      times.sort((a, b) => a - b),
      0.5,
    );
  };
  try {
    const describe = await p50(20, () => store.describeCollection(COLLECTION));
    let after: string | undefined;
    const listPage = await p50(10, async () => {
      after = (await store.listFaces(COLLECTION, { limit: 1000, after })).next;
    });
    const users = Math.min(1000, Math.floor(size / 4));
    for (let u = 0; u < users; u++) {
      await store.createUser(COLLECTION, { userId: `user-${u}`, createdAt: Date.now() });
      const faceIds = [0, 1, 2].map((j) => faceIdOf(u * 4 + j));
      await store.associateFaces(COLLECTION, `user-${u}`, faceIds, 100);
    }
    const probe = (await store.getFaces(COLLECTION, [faceIdOf(0)]))[0].vector;
    const start = performance.now();
    await store.searchUsers(COLLECTION, probe, { limit: 10 });
    const searchUsersFirst = performance.now() - start;
    const afterChange: number[] = [];
    for (let i = 0; i < 20; i++) {
      const user = `user-${i % 2}`;
      const spare = [faceIdOf((i % 2) * 4 + 3)];
      if (i % 4 < 2) await store.associateFaces(COLLECTION, user, spare, 100);
      else await store.disassociateFaces(COLLECTION, user, spare);
      const t = performance.now();
      await store.searchUsers(COLLECTION, probe, { limit: 10 });
      afterChange.push(performance.now() - t);
    }
    const searchUsersAfterChange = percentile(
      afterChange.sort((a, b) => a - b),
      0.5,
    );
    return { describe, listPage, searchUsersFirst, searchUsersAfterChange };
  } finally {
    await store.close();
  }
}

/** SearchFaces (MaxFaces 10) through `facekit serve` on the data just written. */
async function measureHttp(serveArgs: string[], size: number, queries: number) {
  const server = await startCliServer([...serveArgs, '--face-model', 'none', '--auth', 'none']);
  try {
    const client = new RekognitionClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      maxAttempts: 1,
    });
    const random = seededRandom(3);
    const times: number[] = [];
    let serverCpu = 0;
    let clientCpu = process.cpuUsage();
    for (let i = -5; i < queries; i++) {
      if (i === 0) {
        serverCpu = cpuSecondsOf(server.child.pid);
        clientCpu = process.cpuUsage();
      }
      const command = new SearchFacesCommand({
        CollectionId: COLLECTION,
        FaceId: faceIdOf(Math.floor(random() * size)),
        MaxFaces: K,
        FaceMatchThreshold: 0,
      });
      const start = performance.now();
      await client.send(command);
      if (i >= 0) times.push(performance.now() - start);
    }
    const clientUsed = process.cpuUsage(clientCpu);
    const serverCpuMs = ((cpuSecondsOf(server.child.pid) - serverCpu) * 1000) / queries;
    client.destroy();
    times.sort((a, b) => a - b);
    return {
      p50: percentile(times, 0.5),
      p99: percentile(times, 0.99),
      serverCpuMs,
      clientCpuMs: (clientUsed.user + clientUsed.system) / 1000 / queries,
    };
  } finally {
    await server.stop();
  }
}

/** Milliseconds this thread has spent runnable but not running (Linux schedstat), NaN elsewhere. */
function runQueueWaitMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds a process has used (Linux `/proc`, 10 ms ticks), NaN elsewhere. */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Runs one measurement in a child process and returns its result (or why it failed). */
function runChild(
  name: string,
  kind: DataKind,
  size: number,
  dim: number,
  http: boolean,
): Promise<Result> {
  const childArgs = [
    ...process.execArgv,
    '--expose-gc',
    process.argv[1],
    '--child',
    name,
    '--size',
    String(size),
    '--dim',
    String(dim),
    '--kind',
    kind,
    '--queries',
    args.queries,
    '--batch',
    args.batch,
    ...(http ? ['--http'] : []),
  ];
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    if (args['database-url']) env.FACEKIT_BENCH_DATABASE_URL = args['database-url'];
    const child = spawn(process.execPath, childArgs, {
      stdio: ['ignore', 'pipe', 'inherit'],
      env,
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice('RESULT '.length)) as Result);
      else reject(new Error(`${name} ${size}×${dim} failed (exit ${code}): ${out.slice(-2000)}`));
    });
  });
}

const mb = (bytes: number) => num(bytes / 2 ** 20, 0);
const ms = (x: number) => num(x, x < 10 ? 2 : 1);

async function main(): Promise<void> {
  if (args.child === 'prepare') {
    // Internal: fills the data cache of one (kind, size, dim) ahead of the subjects.
    dataOf(args.kind as DataKind, Number(args.size), Number(args.dim), Number(args.queries));
    return;
  }
  if (args.child) {
    const subject = SEARCH_SUBJECTS.find((s) => s.name === args.child);
    if (!subject) throw new Error(`unknown adapter ${args.child}`);
    const result = await measure(
      subject,
      args.kind as DataKind,
      Number(args.size),
      Number(args.dim),
    );
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
    return;
  }
  const sizes = args.sizes.split(',').map(parseSize);
  const dims = args.dims.split(',').map(Number);
  const kinds = args.data.split(',').map((s) => s.trim()) as DataKind[];
  for (const kind of kinds) {
    if (kind !== 'face' && kind !== 'random') throw new Error(`--data takes face and/or random`);
  }
  const httpSize = parseSize(args['http-size']);
  const names = args.adapters.split(',').map((s) => s.trim());
  const subjects: SearchBenchSubject[] = [];
  for (const name of names) {
    const subject = SEARCH_SUBJECTS.find((s) => s.name === name);
    if (!subject) {
      throw new Error(
        `unknown adapter ${name}; known: ${SEARCH_SUBJECTS.map((s) => s.name).join(', ')}`,
      );
    }
    const reason = await subject.unavailable?.();
    if (reason) console.log(`skipping ${name}: ${reason}`);
    else subjects.push(subject);
  }
  const header = [
    'store',
    'data',
    'faces',
    'dim',
    'add/s',
    'add/CPU-s',
    'RSS MB',
    'disk MB',
    'p50 ms',
    'p99 ms',
    'CPU p50 ms',
    'wait p50 ms',
    'recall@10',
    'matches found',
    'reopen s',
    'reopen RSS MB',
  ];
  const rows: string[][] = [header];
  const httpRows: string[][] = [
    [
      'store',
      'data',
      'faces',
      'dim',
      'SearchFaces p50 ms',
      'p99 ms',
      'server CPU ms/request',
      'client CPU ms/request',
    ],
  ];
  console.log(
    `bench:search: ${args.queries} queries, top-${K}, batches of ${args.batch}; node ${process.version}; ${cpus().length} CPUs, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  // One task per (data, dimension, size, store); with --jobs N, N run at once (each in its own
  // child process), the largest sizes first, so long graph builds share the cores.
  const httpAdapters = args['http-adapters']?.split(',').map((s) => s.trim());
  const tasks: {
    kind: DataKind;
    dim: number;
    size: number;
    subject: SearchBenchSubject;
    http: boolean;
  }[] = [];
  for (const kind of kinds) {
    for (const dim of dims) {
      for (const size of sizes) {
        for (const subject of subjects) {
          const http =
            size === httpSize &&
            dim === 512 &&
            kind === kinds[0] &&
            (httpAdapters === undefined || httpAdapters.includes(subject.name));
          tasks.push({ kind, dim, size, subject, http });
        }
      }
    }
  }
  const results = new Map<number, Result>();
  const report = (r: Result) => {
    const row = [
      r.subject,
      r.data,
      String(r.size),
      String(r.dim),
      num(r.addPerSecond, 0),
      num(r.addPerCpuSecond, 0),
      mb(r.rssBytes),
      mb(r.diskBytes),
      ms(r.p50),
      ms(r.p99),
      ms(r.cpuP50),
      ms(r.waitP50),
      num(r.recall, 3),
      num(r.matchRecall, 3),
      num(r.reopenSeconds, 2),
      mb(r.reopenRssBytes),
    ];
    rows.push(row);
    console.log(formatTable([header, row]).split('\n')[1]);
    for (const v of r.variants ?? []) {
      const variantRow = [
        `${r.subject} ${v.label}`,
        r.data,
        String(r.size),
        String(r.dim),
        '',
        '',
        '',
        '',
        ms(v.p50),
        ms(v.p99),
        ms(v.cpuP50),
        ms(v.waitP50),
        num(v.recall, 3),
        num(v.matchRecall, 3),
        '',
        '',
      ];
      rows.push(variantRow);
      console.log(formatTable([header, variantRow]).split('\n')[1]);
    }
    if (r.operations) {
      const o = r.operations;
      console.log(
        `  ${r.subject} ${r.size}: DescribeCollection ${ms(o.describe)} ms, ListFaces page of 1000 ${ms(o.listPage)} ms, SearchUsers first ${ms(o.searchUsersFirst)} ms, after an association change ${ms(o.searchUsersAfterChange)} ms (p50)`,
      );
    }
    if (r.http) {
      httpRows.push([
        r.subject,
        r.data,
        String(r.size),
        String(r.dim),
        ms(r.http.p50),
        ms(r.http.p99),
        ms(r.http.serverCpuMs),
        ms(r.http.clientCpuMs),
      ]);
      console.log(
        `  ${r.subject} ${r.size} through facekit serve: p50 ${ms(r.http.p50)} ms, p99 ${ms(r.http.p99)} ms; CPU per request: server ${ms(r.http.serverCpuMs)} ms, client ${ms(r.http.clientCpuMs)} ms`,
      );
    }
  };
  const order = tasks.map((_, i) => i).sort((a, b) => tasks[b].size - tasks[a].size || a - b);
  const jobs = Math.max(1, Number(args.jobs));
  let next = 0;
  const worker = async () => {
    while (next < order.length) {
      const i = order[next++];
      const { subject, kind, size, dim, http } = tasks[i];
      try {
        const r = await runChild(subject.name, kind, size, dim, http);
        results.set(i, r);
        console.log(
          `${r.subject} ${r.size}×${r.dim} ${r.data}: ${r.started.slice(11, 19)}–${r.ended.slice(11, 19)} UTC, load ${r.loadStart.map((x) => x.toFixed(1)).join(' ')} → ${r.loadEnd.map((x) => x.toFixed(1)).join(' ')}${r.indexBuildSeconds === undefined ? '' : `, index build ${r.indexBuildSeconds.toFixed(1)} s (in add/s)`}`,
        );
      } catch (error) {
        console.log(`  ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  if (args.out) writeFileSync(args.out, `${JSON.stringify([...results.values()], null, 1)}\n`);
  // The tables in the order asked for, whatever order the tasks finished in.
  for (let i = 0; i < tasks.length; i++) {
    const r = results.get(i);
    if (r) report(r);
  }
  console.log(
    `\nload average at the end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(`\n${formatTable(rows)}`);
  if (httpRows.length > 1) console.log(`\nThrough the HTTP server:\n${formatTable(httpRows)}`);
}

await main();
