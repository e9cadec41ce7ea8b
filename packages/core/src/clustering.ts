// `@facekit/core/clustering`: grouping face vectors into people (ClusterFaces, `pnpm bench:people`).

export {
  type ClusteringMethod,
  type ClusteringProblem,
  clusterVectors,
} from './clustering/cluster-vectors.js';
export {
  buildNeighbourGraph,
  type NeighbourGraph,
  type NeighbourGraphOptions,
} from './clustering/neighbour-graph.js';
