export { loadManifest } from './load-manifest.js';
export { type LoadedModel, loadModel } from './load-model.js';
export { modelsDir } from './models-dir.js';
