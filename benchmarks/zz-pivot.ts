import { readFileSync } from 'node:fs';
import { createNodeFaceAnalyzer } from '@facekit/pipeline-node';
import { pivotPairs } from './src/datasets.js';
const root = '/work/shared/datasets';
const pairs = pivotPairs(root);
const variants = {
  full: { scaledDecoding: false },
  scaled160: {},
} as const;
const files = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
for (const [name, detection] of Object.entries(variants)) {
  const a = await createNodeFaceAnalyzer({ detection });
  const emb = new Map<string, Float32Array>();
  for (const f of files) {
    const r = await a.analyze(readFileSync(f), { attributes: [], embedLargest: 1 }).catch(() => undefined);
    if (!r) continue;
    if (r?.faces[0]?.embedding) emb.set(f, r.faces[0].embedding);
  }
  await a.close();
  const cos = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i], 0);
  const same: number[] = [], diff: number[] = [];
  for (const p of pairs) {
    const x = emb.get(p.a), y = emb.get(p.b);
    if (!x || !y) continue;
    (p.same ? same : diff).push(cos(x, y));
    if (!p.same && cos(x, y) > 0.39) console.log('  high diff', p.a.split('/').pop(), p.b.split('/').pop(), cos(x, y).toFixed(4));
    if (p.same && cos(x, y) < 0.5) console.log('  low same', p.a.split('/').pop(), p.b.split('/').pop(), cos(x, y).toFixed(4));
  }
  const minSame = Math.min(...same), maxDiff = Math.max(...diff);
  const overlap = same.filter((s) => s <= maxDiff).length + diff.filter((d) => d >= minSame).length;
  console.log(name, 'minSame', minSame.toFixed(4), 'maxDiff', maxDiff.toFixed(4), 'overlapping', overlap, 'sorted low same', same.sort().slice(0, 3).map((v) => v.toFixed(3)).join(','), 'high diff', diff.sort().slice(-3).map((v) => v.toFixed(3)).join(','));
}
