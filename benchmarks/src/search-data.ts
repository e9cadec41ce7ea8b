import {
  closeSync,
  existsSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@facekit/conformance/storage';
import { loadUsearch } from '@facekit/vector-index-usearch';
import { FaceLikeVectors, faceLikeQueries } from './face-like-vectors.js';

/** Vector search benchmark data: what `bench:search` and `bench:hnsw-study` measure on. */

export type DataKind = 'face' | 'random';

/** Neighbours measured (recall@K). */
export const K = 10;

/**
 * Cosine of `Similarity` 80 (Rekognition's default `FaceMatchThreshold`) for face model 1.0
 * (`similarityAnchors` in @facekit/core): a neighbour below it is no match at the default, so
 * "matches found" counts only the true top-K at or above it.
 */
export const MATCH_COSINE = 0.408;

/** `count` seeded unit vectors of `dim` in one row-major array (Gaussian, normalised). */
export function unitVectors(count: number, dim: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(count * dim);
  for (let row = 0; row < count; row++) {
    let sum = 0;
    for (let j = 0; j < dim; j++) {
      const u = 1 - random();
      const x = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
      out[row * dim + j] = x;
      sum += x * x;
    }
    const scale = 1 / Math.sqrt(sum);
    for (let j = 0; j < dim; j++) out[row * dim + j] *= scale;
  }
  return out;
}

/** A valid Rekognition FaceId that encodes the row number. */
export const faceIdOf = (row: number) =>
  `${row.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
export const rowOf = (faceId: string) => Number.parseInt(faceId.slice(0, 8), 16);

/** Exact top-k rows by inner product of every query (SIMD brute force), for recall. */
export function exactTopK(
  data: Float32Array,
  dim: number,
  queries: Float32Array,
  k: number,
): number[][] {
  const { exactSearch } = loadUsearch();
  const truths: number[][] = [];
  // One query per call: usearch 2.25's batch exact search returns the queries' rows out of order.
  // A copy, not a subarray: its exactSearch reads a typed array's buffer from byte 0.
  for (let q = 0; q < queries.length / dim; q++) {
    const { keys } = exactSearch(data, queries.slice(q * dim, (q + 1) * dim), dim, k, 'ip', 1);
    truths.push(Array.from(keys, Number));
  }
  return truths;
}

function generate(kind: DataKind, size: number, dim: number, queries: number) {
  if (kind === 'random') {
    return { data: unitVectors(size, dim, 1), queryData: unitVectors(queries, dim, 2) };
  }
  const data = new FaceLikeVectors(dim, 1).take(size);
  return { data, queryData: faceLikeQueries(data, dim, queries, 2) };
}

/**
 * The seeded data, queries and their exact top-k, generated once per (kind, size, dim, queries)
 * and kept in the temporary directory: a million face-like vectors take minutes to draw, and
 * every subject measures the same ones.
 */
export function dataOf(kind: DataKind, size: number, dim: number, queries: number) {
  const path = join(tmpdir(), `facekit-bench-search-${kind}-${size}x${dim}-q${queries}.bin`);
  const dataBytes = size * dim * 4;
  const queryBytes = queries * dim * 4;
  const truthBytes = queries * K * 4;
  if (existsSync(path) && statSync(path).size === dataBytes + queryBytes + truthBytes) {
    const data = new Float32Array(size * dim);
    const queryData = new Float32Array(queries * dim);
    const truthRows = new Uint32Array(queries * K);
    const fd = openSync(path, 'r');
    try {
      readInto(fd, new Uint8Array(data.buffer), 0);
      readInto(fd, new Uint8Array(queryData.buffer), dataBytes);
      readInto(fd, new Uint8Array(truthRows.buffer), dataBytes + queryBytes);
    } finally {
      closeSync(fd);
    }
    const truths = Array.from({ length: queries }, (_, q) =>
      Array.from(truthRows.subarray(q * K, (q + 1) * K)),
    );
    return { data, queryData, truths };
  }
  const { data, queryData } = generate(kind, size, dim, queries);
  const truths = exactTopK(data, dim, queryData, K);
  const fd = openSync(`${path}.${process.pid}`, 'w');
  try {
    writeAll(fd, new Uint8Array(data.buffer));
    writeAll(fd, new Uint8Array(queryData.buffer));
    writeAll(fd, new Uint8Array(Uint32Array.from(truths.flat()).buffer));
  } finally {
    closeSync(fd);
  }
  renameSync(`${path}.${process.pid}`, path);
  return { data, queryData, truths };
}

/** Reads `target.length` bytes at `position` (in 1 GiB steps: one read is capped at 2 GiB). */
function readInto(fd: number, target: Uint8Array, position: number): void {
  for (let done = 0; done < target.length; ) {
    const n = readSync(fd, target, done, Math.min(2 ** 30, target.length - done), position + done);
    if (n === 0) throw new Error('cached bench data ended early');
    done += n;
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) {
    done += writeSync(fd, bytes, done, Math.min(2 ** 30, bytes.length - done));
  }
}
