// `@facekit/core/vector`: the vector arithmetic stores and analyzers share.

export { centroid, dot, l2Normalize } from './vector/vector-math.js';
