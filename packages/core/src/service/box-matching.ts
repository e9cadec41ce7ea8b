import type { BoxRatios } from '../storage/face-store.js';

/**
 * One-to-one matching of `old` boxes to `found` boxes, highest IoU first, at `minIou` or above:
 * for each old box, the index of its match or undefined.
 */
export function matchByIou(
  old: readonly BoxRatios[],
  found: readonly BoxRatios[],
  minIou: number,
): (number | undefined)[] {
  const pairs: { i: number; j: number; overlap: number }[] = [];
  old.forEach((a, i) => {
    found.forEach((b, j) => {
      const overlap = boxIou(a, b);
      if (overlap >= minIou) pairs.push({ i, j, overlap });
    });
  });
  pairs.sort((x, y) => y.overlap - x.overlap);
  const matches: (number | undefined)[] = old.map(() => undefined);
  const taken = new Set<number>();
  for (const { i, j } of pairs) {
    if (matches[i] !== undefined || taken.has(j)) continue;
    matches[i] = j;
    taken.add(j);
  }
  return matches;
}

function boxIou(a: BoxRatios, b: BoxRatios): number {
  const w = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const h = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}
