export { createPrefixedFrontend, type PrefixedFrontend } from './prefixed-frontend.js';
export { type ConformanceIo, runConformance } from './run-conformance.js';
