import type { LabelledPair } from './datasets.js';

/** Identities inferred from labelled pairs: see {@link clusterIdentities}. */
export interface IdentityClusters {
  /** Images of each cluster, sorted; every image named in a pair is in exactly one. */
  clusters: string[][];
  /** Cluster index of every image. */
  clusterOf: ReadonlyMap<string, number>;
  /** Cluster pairs `[i, j]` (i < j) with at least one "No" label between their images. */
  linked: [number, number][];
  /** "No" labels between two images of one cluster: they contradict the "Yes" labels. */
  contradictions: LabelledPair[];
}

/**
 * Groups images into identities by union-find over the "Yes" pairs. Two clusters without a "Yes"
 * link are not known to be different people (one person may be split in two), so only cluster
 * pairs joined by a "No" label are recorded as different ({@link IdentityClusters.linked}).
 */
export function clusterIdentities(pairs: readonly LabelledPair[]): IdentityClusters {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    // Path compression.
    for (let y = x; y !== root; ) {
      const next = parent.get(y) as string;
      parent.set(y, root);
      y = next;
    }
    return root;
  };
  for (const p of pairs) {
    if (!parent.has(p.a)) parent.set(p.a, p.a);
    if (!parent.has(p.b)) parent.set(p.b, p.b);
  }
  for (const p of pairs) {
    if (!p.same) continue;
    const [ra, rb] = [find(p.a), find(p.b)];
    if (ra !== rb) parent.set(ra, rb);
  }
  const byRoot = new Map<string, string[]>();
  for (const image of [...parent.keys()].sort()) {
    const root = find(image);
    byRoot.set(root, [...(byRoot.get(root) ?? []), image]);
  }
  const clusters = [...byRoot.values()].sort((x, y) => y.length - x.length || cmp(x[0], y[0]));
  const clusterOf = new Map<string, number>();
  clusters.forEach((images, i) => {
    for (const image of images) clusterOf.set(image, i);
  });
  const linkedKeys = new Set<string>();
  const contradictions: LabelledPair[] = [];
  for (const p of pairs) {
    if (p.same) continue;
    const [ca, cb] = [clusterOf.get(p.a) as number, clusterOf.get(p.b) as number];
    if (ca === cb) contradictions.push(p);
    else linkedKeys.add(`${Math.min(ca, cb)}:${Math.max(ca, cb)}`);
  }
  const linked = [...linkedKeys]
    .map((key) => key.split(':').map(Number) as [number, number])
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  return { clusters, clusterOf, linked, contradictions };
}

/**
 * Every same-identity pair (both images in one cluster) and every different-identity pair (the
 * images are in two clusters joined by a "No" label), over the images `keep` accepts.
 */
export function identityPairs(
  identities: IdentityClusters,
  keep: (image: string) => boolean = () => true,
): { positives: [string, string][]; negatives: [string, string][] } {
  const members = identities.clusters.map((images) => images.filter(keep));
  const positives: [string, string][] = [];
  for (const images of members) {
    for (let i = 0; i < images.length; i++) {
      for (let j = i + 1; j < images.length; j++) positives.push([images[i], images[j]]);
    }
  }
  const negatives: [string, string][] = [];
  for (const [ci, cj] of identities.linked) {
    for (const a of members[ci]) for (const b of members[cj]) negatives.push([a, b]);
  }
  return { positives, negatives };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
