/** How well predicted clusters match true identities. */
export interface ClusteringScores {
  /** BCubed: per item, the share of its predicted cluster that is its identity, averaged. */
  bcubedPrecision: number;
  /** BCubed: per item, the share of its identity that is in its predicted cluster, averaged. */
  bcubedRecall: number;
  bcubedF: number;
  /** Of the pairs put together, the share that are one identity. 1 when none are. */
  pairwisePrecision: number;
  /** Of the same-identity pairs, the share put together. 1 when there are none. */
  pairwiseRecall: number;
  clusters: number;
  identities: number;
}

/**
 * Scores a clustering against the truth. `predicted[i]` and `truth[i]` label item `i`; an item
 * left unclustered should get a label of its own (a singleton), as it counts for one person.
 * @see Amigó et al., "A comparison of extrinsic clustering evaluation metrics" (2009), BCubed.
 */
export function scoreClustering(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
): ClusteringScores {
  const n = predicted.length;
  const joint = new Map<string, number>();
  const predictedSize = new Map<number, number>();
  const truthSize = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${predicted[i]}:${truth[i]}`;
    joint.set(key, (joint.get(key) ?? 0) + 1);
    predictedSize.set(predicted[i], (predictedSize.get(predicted[i]) ?? 0) + 1);
    truthSize.set(truth[i], (truthSize.get(truth[i]) ?? 0) + 1);
  }
  let precision = 0;
  let recall = 0;
  for (let i = 0; i < n; i++) {
    const both = joint.get(`${predicted[i]}:${truth[i]}`) as number;
    precision += both / (predictedSize.get(predicted[i]) as number);
    recall += both / (truthSize.get(truth[i]) as number);
  }
  const pairs = (count: number) => (count * (count - 1)) / 2;
  let together = 0;
  let togetherRight = 0;
  let same = 0;
  for (const c of predictedSize.values()) together += pairs(c);
  for (const c of joint.values()) togetherRight += pairs(c);
  for (const c of truthSize.values()) same += pairs(c);
  const bcubedPrecision = n === 0 ? 1 : precision / n;
  const bcubedRecall = n === 0 ? 1 : recall / n;
  return {
    bcubedPrecision,
    bcubedRecall,
    bcubedF:
      bcubedPrecision + bcubedRecall === 0
        ? 0
        : (2 * bcubedPrecision * bcubedRecall) / (bcubedPrecision + bcubedRecall),
    pairwisePrecision: together === 0 ? 1 : togetherRight / together,
    pairwiseRecall: same === 0 ? 1 : togetherRight / same,
    clusters: predictedSize.size,
    identities: truthSize.size,
  };
}
