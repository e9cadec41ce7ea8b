import { describe, expect, it } from 'vitest';
import { clusterVectors } from './cluster-vectors.js';
import { buildNeighbourGraph } from './neighbour-graph.js';

const DIM = 32;

function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/** `people` identities with `each` noisy unit vectors apiece (cosine ~0.8 within one). */
function people(count: number, each: number, seed = 1) {
  const gaussian = generator(seed);
  const vectors = new Float32Array(count * each * DIM);
  const truth = new Int32Array(count * each);
  const unit = (v: number[]) => {
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  for (let p = 0; p < count; p++) {
    const identity = unit(Array.from({ length: DIM }, gaussian));
    for (let i = 0; i < each; i++) {
      const noise = unit(Array.from({ length: DIM }, gaussian));
      const row = p * each + i;
      vectors.set(unit(identity.map((x, j) => x + 0.5 * noise[j])), row * DIM);
      truth[row] = p;
    }
  }
  return { vectors, truth };
}

const none = (n: number) => new Int32Array(n).fill(-1);
const distinct = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe('buildNeighbourGraph', () => {
  it('finds every pair above minScore exactly, best first, both ways', () => {
    const { vectors } = people(5, 4);
    const graph = buildNeighbourGraph(vectors, DIM, { k: 10, minScore: 0.5 });
    for (let i = 0; i < 20; i++) {
      const expected: number[] = [];
      for (let j = 0; j < 20; j++) {
        let s = 0;
        for (let d = 0; d < DIM; d++) s += vectors[i * DIM + d] * vectors[j * DIM + d];
        if (j !== i && s >= 0.5) expected.push(j);
      }
      const found = Array.from(graph.neighbours.subarray(graph.offsets[i], graph.offsets[i + 1]));
      expect(new Set(found)).toEqual(new Set(expected));
      const scores = Array.from(graph.scores.subarray(graph.offsets[i], graph.offsets[i + 1]));
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
  });

  it('finds nearly all of them through the approximate path, with exact scores', () => {
    const { vectors } = people(200, 4, 2);
    const exact = buildNeighbourGraph(vectors, DIM, { k: 8, minScore: 0.5 });
    const approximate = buildNeighbourGraph(vectors, DIM, { k: 8, minScore: 0.5, exactBelow: 0 });
    const pairs = (g: typeof exact) => {
      const out = new Map<string, number>();
      for (let i = 0; i < g.offsets.length - 1; i++) {
        for (let e = g.offsets[i]; e < g.offsets[i + 1]; e++) {
          out.set(`${i}:${g.neighbours[e]}`, g.scores[e]);
        }
      }
      return out;
    };
    const want = pairs(exact);
    const got = pairs(approximate);
    let found = 0;
    for (const [key, score] of got) {
      expect(want.get(key)).toBeCloseTo(score, 5);
      found++;
    }
    expect(found / want.size).toBeGreaterThan(0.95);
    // ~0.2 s of CPU; the margin is for a shared, loaded machine.
  }, 30_000);
});

describe('clusterVectors', () => {
  const { vectors, truth } = people(6, 4, 3);
  const n = truth.length;
  const graph = buildNeighbourGraph(vectors, DIM, { k: 8, minScore: 0.3 });
  const base = { vectors, dim: DIM, graph, threshold: 0.5, cannotLink: [] };

  for (const method of ['average', 'single', 'whispers'] as const) {
    it(`${method}: finds the people of well separated data`, () => {
      const labels = clusterVectors({ ...base, imageOf: distinct(n), seedOf: none(n), method });
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) expect(labels[i] === labels[j]).toBe(truth[i] === truth[j]);
      }
    });

    it(`${method}: keeps one image, refused pairs and two seeds apart`, () => {
      const imageOf = distinct(n);
      imageOf[1] = imageOf[0]; // rows 0 and 1 (one person) come from one photo
      const seedOf = none(n);
      seedOf[4] = 0; // person 1's rows 4 and 6 are two users: users never merge
      seedOf[6] = 1;
      seedOf[8] = 2; // person 2's row 8 is user 2: the person's other rows join it
      const labels = clusterVectors({
        ...base,
        imageOf,
        seedOf,
        cannotLink: [[12, 13]],
        method,
      });
      expect(labels[0]).not.toBe(labels[1]);
      expect(labels[12]).not.toBe(labels[13]);
      expect(labels[4]).not.toBe(labels[6]);
      // Label propagation may settle the person's other rows on a label of their own.
      if (method !== 'whispers') {
        for (const row of [9, 10, 11]) expect(labels[row]).toBe(labels[8]);
      }
    });
  }
});
